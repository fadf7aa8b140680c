/**
 * Per-packet overhead on MemoryIo (mfio's core bench): N = 1 … 65536 one-byte packets per round,
 * sent through raw `sendIo` (one shared output) and through `io()` with one promise each.
 * Prints settled packets per second per N. Each task checks its result before it is timed.
 * Usage: pnpm bench [--json] [--time MS]
 */
import { io, MemoryIo, Packet, sendPacket, Write, type PacketOutput } from "@pktio/core";
import { Bench } from "tinybench";

const args = process.argv.slice(2);
const json = args.includes("--json");
const timeIndex = args.indexOf("--time");
const time = timeIndex >= 0 ? Number(args[timeIndex + 1]) : 300;
if (!Number.isFinite(time) || time <= 0) {
  console.error("--time takes a positive number of milliseconds");
  process.exit(2);
}

const store = new Uint8Array(65_536).map((_, i) => i & 0xff);
const mem = new MemoryIo(store);
const sizes = [1, 16, 256, 1024, 4096, 65_536];

/** Sends `n` fresh 1-byte packets with one shared output; resolves when all settled. */
function raw(n: number): Promise<number> {
  return new Promise((resolve) => {
    let left = n;
    let sum = 0;
    let last: Packet<Write> | undefined;
    const output: PacketOutput = {
      onDone: (result) => {
        sum += result.transferred;
        if (--left === 0) resolve(sum + (last?.bytes[0] ?? 0));
      },
    };
    for (let i = 0; i < n; i++) {
      const packet = Packet.alloc(1, Write);
      if (i === n - 1) last = packet;
      sendPacket(mem, i, packet, output);
    }
  });
}

/** Sends `n` fresh 1-byte packets through `io()` and awaits them all. */
async function awaited(n: number): Promise<number> {
  const pending: Promise<{ transferred: number }>[] = [];
  for (let i = 0; i < n; i++) pending.push(io(mem, i, Packet.alloc(1, Write)));
  let sum = 0;
  for (const result of await Promise.all(pending)) sum += result.transferred;
  return sum;
}

// Check before timing: every packet transfers its byte, and the last byte is what the store holds.
for (const n of sizes) {
  const expectedRaw = n + (store[n - 1] ?? 0);
  if ((await raw(n)) !== expectedRaw || (await awaited(n)) !== n) throw new Error(`check failed for N=${n}`);
}

const bench = new Bench({ time, warmupTime: Math.min(100, time) });
for (const n of sizes) {
  bench.add(`raw sendIo N=${n}`, () => raw(n).then(() => undefined));
  bench.add(`io() await N=${n}`, () => awaited(n).then(() => undefined));
}
await bench.run();

const rows = bench.tasks.map((task) => {
  const n = Number(/N=(\d+)/.exec(task.name)?.[1]);
  const result = task.result as { latency?: { mean: number }; period?: number } | undefined;
  const meanMs = result?.latency?.mean ?? result?.period ?? Number.NaN;
  return { task: task.name, packetsPerSecond: Math.round((n / meanMs) * 1000) };
});
if (json) console.log(JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2));
else console.table(rows);
