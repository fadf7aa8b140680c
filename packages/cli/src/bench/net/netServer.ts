/**
 * The server side of one net trial, in a process of its own so that its CPU time is its own:
 * `tcp-echo` (every byte back), `udp-echo` (every datagram back to its sender) or `tcp-hash`
 * (SHA-256 of everything until the client ends, sent back as 32 bytes), on plain node:net /
 * node:dgram or a pktio backend. Prints {"port"} once listening; on "stop" from stdin prints
 * {"userUs","systemUs"} and exits.
 */
import { createHash } from "node:crypto";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { createServer } from "node:net";
import type { ByteStream, Runtime } from "@pktio/core";
import { openBackend } from "../../openBackend.js";
import type { NetServerSettings, NetTrial } from "./NetSettings.js";

/** Every trial runs on loopback. */
export const HOST = "127.0.0.1";

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

async function startPktio(trial: NetTrial, rt: Runtime, udpLoops: number): Promise<number> {
  if (trial === "udp-echo") {
    const socket = await rt.udp.bind({ host: HOST, port: 0 });
    // With several loops, as a throughput-minded server runs them, several receives wait at once.
    for (let loop = 0; loop < udpLoops; loop++) {
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
    for await (const stream of listener) void (trial === "tcp-hash" ? hashStream(stream) : echoStream(stream)).catch(() => undefined);
  })();
  return listener.address.port;
}

async function startNode(trial: NetTrial): Promise<number> {
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

/** Serves `settings.trial` until "stop" arrives on stdin; never returns (the process exits). */
export async function runNetServer(settings: NetServerSettings): Promise<number> {
  const { trial, contender } = settings;
  const port = contender === "node" ? await startNode(trial) : await startPktio(trial, await openBackend(contender, settings.serverOptions), settings.udpLoops);
  const before = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.setEncoding("utf8");
  return new Promise<number>(() => {
    process.stdin.on("data", (text: string) => {
      if (!text.includes("stop")) return;
      const used = process.cpuUsage(before);
      process.stdout.write(`${JSON.stringify({ userUs: used.user, systemUs: used.system })}\n`, () => process.exit(0));
    });
  });
}
