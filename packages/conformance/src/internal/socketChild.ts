/**
 * Child process of the socket lifecycle scenario: opens a runtime with `<module>#<export>()`,
 * leaves an accept, a stream read and a UDP receive pending, closes the runtime, prints the kinds
 * the pending operations settled with, and returns. The process must exit by itself: nothing of a
 * closed runtime keeps the event loop alive. A runtime without sockets of its own prints
 * "no sockets: <kind>".
 */
import { createServer } from "node:net";

const [modulePath, exportName] = process.argv.slice(2);
type Runtime = import("@pktio/core").Runtime;
const backend = (await import(modulePath as string)) as Record<string, () => Runtime | Promise<Runtime>>;
const runtime = await (backend[exportName as string] as () => Runtime | Promise<Runtime>)();
const kindOf = (error: unknown): string => String((error as { kind?: unknown }).kind ?? error);
try {
  const listener = await runtime.net.listen({ host: "127.0.0.1", port: 0 });
  const server = createServer((socket) => socket.on("error", () => undefined));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const stream = await runtime.net.connect({ host: "127.0.0.1", port: (server.address() as { port: number }).port });
  const udp = await runtime.udp.bind({ host: "127.0.0.1", port: 0 });
  const pending = [listener.accept(), stream.read(new Uint8Array(16)), udp.recvFrom(new Uint8Array(16))].map((operation) => operation.then(() => "settled", kindOf));
  await runtime.close();
  const kinds = await Promise.all(pending);
  server.close();
  console.log(`closed ${kinds.join(",")}`);
} catch (error) {
  await runtime.close();
  console.log(`no sockets: ${kindOf(error)}`);
}
