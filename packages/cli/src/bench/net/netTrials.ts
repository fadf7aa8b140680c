/**
 * The client side of the net trials, plain node:net / node:dgram in the parent process. Each
 * checks what it gets back (echoed bytes, the server's hash) and throws on a wrong byte.
 * - tcp-echo: 64 connections, each sending 1 KiB and waiting for its echo, `rounds` times;
 * - udp-echo: 16 clients ping-ponging 64-byte datagrams, 4 × `rounds` each;
 * - tcp-hash: `transfer` seeded bytes on one connection, SHA-256 compared with the server's.
 */
import { createHash } from "node:crypto";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import type { NetSettings, NetTrial } from "./NetSettings.js";
import { HOST } from "./netServer.js";

/** What one trial measured on the client side. */
export interface TrialOutcome {
  /** Requests, datagrams, or MiB moved. */
  readonly operations: number;
  readonly seconds: number;
  /** UDP datagrams sent again after 200 ms without their reply (loopback may drop on a loaded host). */
  readonly resent: number;
}

/** The unit of each trial's rate. */
export const TRIAL_UNITS: Record<NetTrial, string> = { "tcp-echo": "requests/s", "udp-echo": "datagrams/s", "tcp-hash": "MiB/s" };

/** Connections of tcp-echo, and clients of udp-echo. */
export const TCP_CONNECTIONS = 64;
export const UDP_CLIENTS = 16;

async function tcpClient(port: number): Promise<Socket> {
  const socket = connect({ host: HOST, port, noDelay: true });
  await once(socket, "connect");
  return socket;
}

const elapsed = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;

async function tcpEcho(port: number, rounds: number): Promise<TrialOutcome> {
  const sockets = await Promise.all(Array.from({ length: TCP_CONNECTIONS }, () => tcpClient(port)));
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      sockets.map(async (socket, index) => {
        const message = Buffer.alloc(1024, index);
        for (let round = 0; round < rounds; round++) {
          message.writeUInt32BE(round, 0);
          socket.write(message);
          const chunks: Buffer[] = [];
          let received = 0;
          while (received < message.byteLength) {
            const [chunk] = (await once(socket, "data")) as [Buffer];
            chunks.push(chunk);
            received += chunk.byteLength;
          }
          if (!Buffer.concat(chunks).equals(message)) throw new Error(`tcp-echo: connection ${index}, round ${round} came back changed`);
        }
      }),
    );
    return { operations: TCP_CONNECTIONS * rounds, seconds: elapsed(started), resent: 0 };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

/** The reply of `round` (older ones are skipped), or undefined after 200 ms without it. */
async function nextReply(socket: UdpSocket, round: number): Promise<Buffer | undefined> {
  const signal = AbortSignal.timeout(200);
  try {
    for (;;) {
      const [reply] = (await once(socket, "message", { signal })) as [Buffer];
      if (reply.readUInt32BE(0) === round) return reply;
    }
  } catch {
    return undefined;
  }
}

async function udpEcho(port: number, rounds: number): Promise<TrialOutcome> {
  const clients = await Promise.all(
    Array.from({ length: UDP_CLIENTS }, async () => {
      const socket = createSocket("udp4");
      socket.bind(0, HOST);
      await once(socket, "listening");
      return socket;
    }),
  );
  let resent = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      clients.map(async (socket, index) => {
        const message = Buffer.alloc(64, index);
        for (let round = 0; round < rounds * 4; round++) {
          message.writeUInt32BE(round, 0);
          for (;;) {
            socket.send(message, port, HOST);
            const reply = await nextReply(socket, round);
            if (reply === undefined) {
              resent++;
              continue;
            }
            if (!reply.equals(message)) throw new Error(`udp-echo: client ${index}, round ${round} got a wrong datagram`);
            break;
          }
        }
      }),
    );
    return { operations: UDP_CLIENTS * rounds * 4, seconds: elapsed(started), resent };
  } finally {
    for (const socket of clients) socket.close();
  }
}

async function tcpHash(port: number, total: number): Promise<TrialOutcome> {
  const socket = await tcpClient(port);
  const chunk = Buffer.alloc(1024 * 1024);
  const hash = createHash("sha256");
  const answer = new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    socket.on("data", (part: Buffer) => parts.push(part));
    socket.on("end", () => resolve(Buffer.concat(parts)));
    socket.on("error", reject);
  });
  const started = process.hrtime.bigint();
  try {
    for (let sent = 0, index = 0; sent < total; index++) {
      const piece = chunk.subarray(0, Math.min(chunk.byteLength, total - sent));
      piece.fill(index & 0xff);
      if (piece.byteLength >= 4) piece.writeUInt32BE(index, 0);
      hash.update(piece);
      sent += piece.byteLength;
      if (!socket.write(Buffer.from(piece))) await once(socket, "drain");
    }
    socket.end();
    const digest = await answer;
    if (!digest.equals(hash.digest())) throw new Error("tcp-hash: the server's SHA-256 differs from the bytes sent");
    return { operations: total / (1024 * 1024), seconds: elapsed(started), resent: 0 };
  } finally {
    socket.destroy();
  }
}

/** Runs `trial`'s clients against a server on `port`; rejects when a check finds a wrong byte. */
export function runTrial(trial: NetTrial, port: number, settings: Pick<NetSettings, "rounds" | "transfer">): Promise<TrialOutcome> {
  if (trial === "tcp-echo") return tcpEcho(port, settings.rounds);
  if (trial === "udp-echo") return udpEcho(port, settings.rounds);
  return tcpHash(port, settings.transfer);
}
