/**
 * Child process of the lifecycle scenario: opens a runtime with `<module>#<export>()`, reads a
 * file through it, prints "ready"; then leaves a listener and a connected pair of streams idle
 * (one byte sent and read first) and returns without closing anything. The process must exit by
 * itself: an idle runtime, and an idle socket of it, never keep the event loop alive.
 */
const [modulePath, exportName, filePath] = process.argv.slice(2);
if (modulePath === undefined || exportName === undefined || filePath === undefined) {
  console.error("usage: idleChild <module> <export> <file>");
  process.exit(2);
}
interface Stream {
  writeAll(src: Uint8Array): Promise<void>;
  readExact(length: number): Promise<Uint8Array>;
}
interface ChildRuntime {
  fs: { open(path: string): Promise<{ readAt(pos: number, dst: Uint8Array): Promise<number> }> };
  net: {
    listen(address: { host: string; port: number }): Promise<{ address: { port: number }; accept(): Promise<Stream> }>;
    connect(address: { host: string; port: number }): Promise<Stream>;
  };
}
const backend = (await import(modulePath)) as Record<string, () => Promise<ChildRuntime>>;
const open = backend[exportName];
if (typeof open !== "function") {
  console.error(`${modulePath} has no export ${exportName}`);
  process.exit(2);
}
const runtime = await open();
const file = await runtime.fs.open(filePath);
const count = await file.readAt(0, new Uint8Array(4096));
console.log(`ready ${count}`);
try {
  const listener = await runtime.net.listen({ host: "127.0.0.1", port: 0 });
  const [client, server] = await Promise.all([runtime.net.connect({ host: "127.0.0.1", port: listener.address.port }), listener.accept()]);
  await client.writeAll(new Uint8Array([7]));
  const [byte] = await server.readExact(1);
  console.log(`sockets idle ${byte}`);
} catch (error) {
  // A runtime without sockets (threaded alone: rt lends it libuv's) has nothing more to leave idle.
  if ((error as { kind?: string }).kind !== "Unsupported") throw error;
  console.log("sockets unsupported");
}
