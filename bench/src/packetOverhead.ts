/**
 * Per-packet overhead on MemoryIo (mfio's core bench): N = 1 … 200000 one-byte packets per round,
 * sent through raw `sendIo` (one shared output) and through `io()` with one promise each, and a
 * floor without pktio at the depths of issue 15 (64 and 200000): a bare promise and a fresh
 * `Uint8Array` per operation, settled in one microtask batch as MemoryIo settles its queue.
 * The core's per-call runners at N = 64: `runIo` of a one-request program,
 * `io()` with an output object, and `ioSync` (issue 15: the closures they made per call).
 * Prints settled packets per second per N. Each task checks its result before it is timed.
 * Usage: pnpm bench [--json] [--time MS] [--only SUBSTRING,…]
 */
import { io, ioSync, MemoryIo, Packet, request, runIo, sendPacket, Write, type IoProgram, type PacketOutput } from "@pktio/core";
import { Bench } from "tinybench";

const args = process.argv.slice(2);
const json = args.includes("--json");
const timeIndex = args.indexOf("--time");
const time = timeIndex >= 0 ? Number(args[timeIndex + 1]) : 300;
const onlyIndex = args.indexOf("--only");
/** Runs only the tasks whose name contains one of these, comma-separated (e.g. `N=200000`, `runIo,ioSync`). */
const only = (onlyIndex >= 0 ? (args[onlyIndex + 1] ?? "") : "").split(",");
if (!Number.isFinite(time) || time <= 0) {
  console.error("--time takes a positive number of milliseconds");
  process.exit(2);
}

const store = new Uint8Array(200_000).map((_, i) => i & 0xff);
const mem = new MemoryIo(store);
const sizes = [1, 16, 64, 256, 1024, 4096, 65_536, 200_000];
/** Depths at which the floor runs beside `io()` (issue 15: the cost of the core at depth). */
const floorSizes = [64, 200_000];
/** Depth of the runner tasks (runIo, io() with an output, ioSync). */
const RUNNER_DEPTH = 64;

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

/**
 * The floor: what any promise-per-operation API pays. Each operation allocates its buffer and a
 * promise; one queued microtask fills every buffer with its byte and resolves it, as MemoryIo does.
 */
async function floor(n: number): Promise<number> {
  const buffers: Uint8Array[] = [];
  const positions: number[] = [];
  const resolvers: ((result: { transferred: number }) => void)[] = [];
  const pending: Promise<{ transferred: number }>[] = [];
  const drain = (): void => {
    for (let i = 0; i < buffers.length; i++) {
      (buffers[i] as Uint8Array)[0] = store[positions[i] as number] as number;
      (resolvers[i] as (result: { transferred: number }) => void)({ transferred: 1 });
    }
  };
  for (let i = 0; i < n; i++) {
    const bytes = new Uint8Array(1);
    pending.push(new Promise((resolve) => {
      if (buffers.push(bytes) === 1) queueMicrotask(drain);
      positions.push(i);
      resolvers.push(resolve);
    }));
  }
  let sum = 0;
  for (const result of await Promise.all(pending)) sum += result.transferred;
  return sum;
}

/** A program of one read: what every `readToEnd`/`writeAllAt` step costs `runIo`. */
function* oneRead(pos: number): IoProgram<number> {
  return (yield request(mem, pos, Packet.alloc(1, Write))).transferred;
}

/** `n` one-request programs through `runIo`, all in flight. */
async function programs(n: number): Promise<number> {
  const pending: Promise<number>[] = [];
  for (let i = 0; i < n; i++) pending.push(runIo(oneRead(i)));
  let sum = 0;
  for (const transferred of await Promise.all(pending)) sum += transferred;
  return sum;
}

const quiet: PacketOutput = { onDone: () => undefined };
/** `n` packets through `io()` with an output object (segments forwarded, then the promise). */
async function withOutput(n: number): Promise<number> {
  const pending: Promise<{ transferred: number }>[] = [];
  for (let i = 0; i < n; i++) pending.push(io(mem, i, Packet.alloc(1, Write), quiet));
  let sum = 0;
  for (const result of await Promise.all(pending)) sum += result.transferred;
  return sum;
}

/** `n` packets one after another through `ioSync` (MemoryIo's blockOn drives each). */
function blocking(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ioSync(mem, i, Packet.alloc(1, Write)).transferred;
  return sum;
}

// Check before timing: every packet transfers its byte, and the last byte is what the store holds.
for (const n of sizes) {
  const expectedRaw = n + (store[n - 1] ?? 0);
  if ((await raw(n)) !== expectedRaw || (await awaited(n)) !== n) throw new Error(`check failed for N=${n}`);
}
for (const n of floorSizes) if ((await floor(n)) !== n) throw new Error(`floor check failed for N=${n}`);
if ((await programs(RUNNER_DEPTH)) !== RUNNER_DEPTH || (await withOutput(RUNNER_DEPTH)) !== RUNNER_DEPTH || blocking(RUNNER_DEPTH) !== RUNNER_DEPTH) throw new Error("runner check failed");

const bench = new Bench({ time, warmupTime: Math.min(100, time) });
for (const n of sizes) {
  bench.add(`raw sendIo N=${n}`, () => raw(n).then(() => undefined));
  bench.add(`io() await N=${n}`, () => awaited(n).then(() => undefined));
  if (floorSizes.includes(n)) {
    bench.add(`floor: promise + Uint8Array N=${n}`, () => floor(n).then(() => undefined));
  }
  if (n === RUNNER_DEPTH) {
    bench.add(`runIo program N=${n}`, () => programs(n).then(() => undefined));
    bench.add(`io() + output N=${n}`, () => withOutput(n).then(() => undefined));
    // A turn of the loop after each round: a sync loop never reaches a macrotask, where the
    // dropped-view guard releases its batch (200000 in a row ran out of heap).
    bench.add(`ioSync N=${n}`, () => new Promise<void>((resolve) => (blocking(n), setImmediate(resolve))));
  }
}
for (const task of [...bench.tasks]) if (!only.some((part) => task.name.includes(part))) bench.remove(task.name);
await bench.run();

const rows = bench.tasks.map((task) => {
  const n = Number(/N=(\d+)/.exec(task.name)?.[1]);
  const result = task.result as { latency?: { mean: number }; period?: number } | undefined;
  const meanMs = result?.latency?.mean ?? result?.period ?? Number.NaN;
  return { task: task.name, packetsPerSecond: Math.round((n / meanMs) * 1000) };
});
if (json) console.log(JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2));
else console.table(rows);
