/**
 * Loopback network benchmarks (issue 14), bounded, each server in a process of its own so that
 * its CPU time is measured alone; the load comes from plain node:net / node:dgram clients here.
 * - tcp-echo: 64 connections, each sending 1 KiB and waiting for its echo, ROUNDS times:
 *   requests/s and server CPU µs per request; ratio against plain node:net.
 * - udp-echo: 16 clients ping-ponging 64-byte datagrams: datagrams/s, CPU per datagram.
 * - tcp-hash: 1 GiB (or --gib N) sent on one connection, the server's SHA-256 checked against the
 *   client's: MiB/s.
 * Every trial checks its result (echoed bytes, hash) before it is reported.
 * Usage: pnpm --filter @pktio/bench run bench:net [--rounds N] [--gib N] [--only tcp-echo,...]
 * [--contenders node,uring,...]; NET_SERVER_NODE_ARGS adds node flags to the server processes
 * (e.g. "--cpu-prof --cpu-prof-dir=DIR" to profile the servers alone).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { cpus, totalmem } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const ROUNDS = Number(option("--rounds", "500"));
const GIB = Number(option("--gib", "1"));
const ONLY = option("--only", "tcp-echo,udp-echo,tcp-hash").split(",");
const CONTENDERS = option("--contenders", "node,uring,libuv,threaded").split(",");
const HOST = "127.0.0.1";
/** Extra node flags for the server processes only (profiling: NET_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"). */
const SERVER_NODE_ARGS = (process.env.NET_SERVER_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");

interface Server {
  readonly port: number;
  stop(): Promise<{ cpuUs: number; systemUs: number }>;
}

async function startServer(trial: string, contender: string): Promise<Server> {
  const script = fileURLToPath(new URL("./net/netServer.ts", import.meta.url));
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, "--import", "tsx", script, trial, contender], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const { port } = JSON.parse(String(first.value)) as { port: number };
  return {
    port,
    async stop() {
      child.stdin.write("stop\n");
      const last = await iterator.next();
      const { userUs, systemUs } = JSON.parse(String(last.value)) as { userUs: number; systemUs: number };
      await once(child, "exit");
      return { cpuUs: userUs + systemUs, systemUs };
    },
  };
}

async function tcpClient(port: number): Promise<Socket> {
  const socket = connect({ host: HOST, port, noDelay: true });
  await once(socket, "connect");
  return socket;
}

/** 64 connections × ROUNDS requests of 1 KiB; every echo is checked. */
async function tcpEcho(port: number): Promise<{ operations: number; seconds: number }> {
  const sockets = await Promise.all(Array.from({ length: 64 }, () => tcpClient(port)));
  const started = process.hrtime.bigint();
  await Promise.all(
    sockets.map(async (socket, index) => {
      const message = Buffer.alloc(1024, index);
      for (let round = 0; round < ROUNDS; round++) {
        message.writeUInt32BE(round, 0);
        socket.write(message);
        let received = 0;
        const chunks: Buffer[] = [];
        while (received < 1024) {
          const [chunk] = (await once(socket, "data")) as [Buffer];
          chunks.push(chunk);
          received += chunk.byteLength;
        }
        if (received !== 1024 || !Buffer.concat(chunks).equals(message)) throw new Error(`connection ${index}: round ${round} echoed wrong bytes`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const socket of sockets) socket.destroy();
  return { operations: 64 * ROUNDS, seconds };
}

let resent = 0;

/** The reply of `round` (older ones are skipped), or undefined after 200 ms without it. */
async function nextReply(socket: ReturnType<typeof createSocket>, round: number): Promise<Buffer | undefined> {
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

/** 16 clients × ROUNDS × 4 ping-pongs of 64-byte datagrams, each checked. */
async function udpEcho(port: number): Promise<{ operations: number; seconds: number }> {
  const clients = await Promise.all(
    Array.from({ length: 16 }, async () => {
      const socket = createSocket("udp4");
      socket.bind(0, HOST);
      await once(socket, "listening");
      return socket;
    }),
  );
  const rounds = ROUNDS * 4;
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (socket, index) => {
      const message = Buffer.alloc(64, index);
      for (let round = 0; round < rounds; round++) {
        message.writeUInt32BE(round, 0);
        // Loopback can drop a datagram on a loaded host: resend after 200 ms, skip stale replies.
        for (;;) {
          socket.send(message, port, HOST);
          const reply = await nextReply(socket, round);
          if (reply === undefined) {
            resent++;
            continue;
          }
          if (!reply.equals(message)) throw new Error(`client ${index}: round ${round} got a wrong datagram`);
          break;
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const socket of clients) socket.close();
  if (resent > 0) console.log(`  (udp-echo: ${resent} datagrams resent after 200 ms)`);
  resent = 0;
  return { operations: 16 * rounds, seconds };
}

/** GIB GiB of seeded bytes on one connection; the server's SHA-256 must equal ours. */
async function tcpHash(port: number): Promise<{ operations: number; seconds: number }> {
  const socket = await tcpClient(port);
  const total = GIB * 1024 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024);
  const hash = createHash("sha256");
  const answer = new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    socket.on("data", (part: Buffer) => parts.push(part));
    socket.on("end", () => resolve(Buffer.concat(parts)));
    socket.on("error", reject);
  });
  const started = process.hrtime.bigint();
  for (let sent = 0, index = 0; sent < total; sent += chunk.byteLength, index++) {
    chunk.fill(index & 0xff);
    chunk.writeUInt32BE(index, 0);
    hash.update(chunk);
    if (!socket.write(chunk)) await once(socket, "drain");
  }
  socket.end();
  const digest = await answer;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!digest.equals(hash.digest())) throw new Error("tcp-hash: the server's SHA-256 differs from the bytes sent");
  socket.destroy();
  return { operations: total / (1024 * 1024), seconds };
}

const TRIALS: Record<string, { unit: string; run: (port: number) => Promise<{ operations: number; seconds: number }> }> = {
  "tcp-echo": { unit: "requests/s", run: tcpEcho },
  "udp-echo": { unit: "datagrams/s", run: udpEcho },
  "tcp-hash": { unit: "MiB/s", run: tcpHash },
};

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
for (const name of ONLY) {
  const trial = TRIALS[name];
  if (trial === undefined) throw new Error(`unknown trial ${name}`);
  const rows: { contender: string; rate: number; cpuPerOp: number; systemPerOp: number }[] = [];
  for (const contender of CONTENDERS) {
    if (name === "udp-echo" && contender === "threaded") continue; // lent libuv's dgram: the libuv row
    const server = await startServer(name, contender);
    const outcome = await trial.run(server.port).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const { cpuUs, systemUs } = await server.stop();
    if ("error" in outcome) throw outcome.error;
    const result = outcome.value;
    rows.push({ contender, rate: result.operations / result.seconds, cpuPerOp: cpuUs / result.operations, systemPerOp: systemUs / result.operations });
  }
  const node = rows.find((row) => row.contender === "node");
  console.log(`\n${name} (${trial.unit}; server CPU µs per operation, of it in the kernel; ratios against node)`);
  for (const row of rows) {
    const perCpu = row.rate === 0 ? 0 : 1 / row.cpuPerOp;
    const ratio = node === undefined ? "" : ` rate ×${(row.rate / node.rate).toFixed(2)}  per CPU-second ×${(perCpu / (1 / node.cpuPerOp)).toFixed(2)}`;
    console.log(`  ${row.contender.padEnd(9)} ${row.rate.toFixed(0).padStart(9)} ${trial.unit}  ${row.cpuPerOp.toFixed(1).padStart(7)} µs CPU/op (kernel ${row.systemPerOp.toFixed(1).padStart(5)})${ratio}`);
  }
}
