/**
 * The server side of one net trial, in its own process so that its CPU time is its own:
 * `tcp-echo` (every byte back), `udp-echo` (every datagram back to its sender) or `tcp-hash`
 * (SHA-256 of everything until the client ends, sent back as 32 bytes), on one contender:
 * `node` (plain node:net / node:dgram) or a pktio backend (uring, libuv, threaded). The pktio UDP
 * server runs UDP_LOOPS receive loops on its one socket, as a user after throughput would.
 * Prints {"port"} once listening; on "stop" from stdin prints {"userUs","systemUs"} and exits.
 * Usage: tsx src/net/netServer.ts TRIAL CONTENDER
 */
import { createHash } from "node:crypto";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { once } from "node:events";
import type { ByteStream, Runtime } from "@pktio/core";
import { openBackend } from "@pktio/rt";

const [trial = "", contender = ""] = process.argv.slice(2);
const HOST = "127.0.0.1";
/** Receive loops of the pktio UDP server (the node server handles every "message" event as it comes). */
const UDP_LOOPS = Number(process.env.NET_UDP_LOOPS ?? "8");

async function echoStream(stream: ByteStream): Promise<void> {
  // Shared memory: uring receives into it directly (no bounce copy); libuv takes any buffer.
  const buffer = new Uint8Array(new SharedArrayBuffer(64 * 1024));
  try {
    for (let count = await stream.read(buffer); count > 0; count = await stream.read(buffer)) await stream.writeAll(buffer.subarray(0, count));
  } catch {
    // the client went away
  }
  await stream.close();
}

async function hashStream(stream: ByteStream): Promise<void> {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(new SharedArrayBuffer(256 * 1024));
  for (let count = await stream.read(buffer); count > 0; count = await stream.read(buffer)) hash.update(buffer.subarray(0, count));
  await stream.writeAll(hash.digest());
  await stream.close();
}

async function startPktio(rt: Runtime): Promise<number> {
  if (trial === "udp-echo") {
    const socket = await rt.udp.bind({ host: HOST, port: 0 });
    // Several receive loops, as a throughput-minded server runs them: each keeps a receive
    // waiting, so the backend can have several in flight and one wake-up serves several datagrams.
    for (let loop = 0; loop < UDP_LOOPS; loop++) {
      void (async () => {
        const buffer = new Uint8Array(new SharedArrayBuffer(2048));
        for (;;) {
          const { length, from } = await socket.recvFrom(buffer);
          await socket.sendTo(buffer.subarray(0, length), from);
        }
      })().catch(() => undefined);
    }
    return socket.localAddress.port;
  }
  const listener = await rt.net.listen({ host: HOST, port: 0 });
  void (async () => {
    for await (const stream of listener) void (trial === "tcp-hash" ? hashStream(stream) : echoStream(stream));
  })();
  return listener.address.port;
}

async function startNode(): Promise<number> {
  if (trial === "udp-echo") {
    const socket = createSocket("udp4");
    socket.on("message", (message, from) => socket.send(message, from.port, from.address));
    socket.bind(0, HOST);
    await once(socket, "listening");
    return socket.address().port;
  }
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    if (trial === "tcp-echo") return void socket.on("data", (chunk) => socket.write(chunk));
    const hash = createHash("sha256");
    socket.on("data", (chunk) => hash.update(chunk));
    socket.on("end", () => socket.end(hash.digest()));
  });
  server.listen(0, HOST);
  await once(server, "listening");
  return (server.address() as { port: number }).port;
}

/** Backend options for the pktio servers, as JSON keyed by backend name (NET_SERVER_OPTIONS='{"uring":{"submitThread":false}}'). */
const serverOptions = JSON.parse(process.env.NET_SERVER_OPTIONS ?? "{}") as Record<string, Record<string, unknown>>;
const port = contender === "node" ? await startNode() : await startPktio(openBackend(contender as "uring" | "libuv" | "threaded", { [contender]: serverOptions[contender] ?? {} }));
const before = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ port, backend: contender })}\n`);
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text: string) => {
  if (!text.includes("stop")) return;
  const used = process.cpuUsage(before);
  process.stdout.write(`${JSON.stringify({ userUs: used.user, systemUs: used.system })}\n`, () => process.exit(0));
});
