/**
 * 4 KiB random reads on a 1 GiB page-cached file, side by side in one run, for the bars of the
 * uring and threaded issues: @pktio/uring (`readAt` and raw `sendPacket` at 64 in flight, `readAt`
 * into shared buffers too (no bounce copy: what the ownership contract costs plain buffers),
 * `readAtSync` at 1, direct and through the ring, O_DIRECT over the registered pool at 64),
 * @pktio/threaded (shared buffers; pool sizes 1, 2, 4; the bounce path; raw sendPacket;
 * readAtSync direct and through the workers) and libuv's readAtSync against Node's
 * `FileHandle.read` (fs.promises), `fs.read` callbacks and `fs.readSync`, and fio (io_uring at
 * 64 with and without --sqthread_poll, psync at 1, O_DIRECT io_uring at 64; `--invalidate=0` so
 * that fio keeps the cache) when it is installed, in the same alternating rounds; uring `readAt`
 * with `sqpoll: true` and with `submitThread: false` (the plain ring), both rings at 16 in flight
 * too (a shallow depth, where the hand-off to the submit thread must not cost), and in a child process on every
 * core (default and plain ring) and pinned to one (`taskset -c 0`, where "auto" picks the plain ring).
 * The file is generated in a temp dir from a seed (every 4 KiB block is a function of the seed and
 * its index, so any read can be checked) and removed afterwards. Each contender checks a sample of
 * its reads before it is timed. Rounds alternate between contenders; the median round is
 * reported, as reads per second and CPU µs per read (user + system of every thread of the process
 * that read: this one, the child, or fio through bash's `times`), with the load average around
 * the run. Run it on the built packages (`pnpm build`).
 * Usage: pnpm --filter @pktio/bench run bench:random-read [--json] [--time MS] [--rounds N]
 *        [--size MiB] [--only TEXT]   (only the extra contenders whose name contains TEXT)
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, read, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import { open as openPromise, type FileHandle as NodeFileHandle } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { Packet, sendPacket, Write, type FileHandle, type OpenOptions, type PacketOutput, type Runtime } from "@pktio/core";
import { openBackend } from "@pktio/rt";
import { allocShared, DEFAULT_WORKERS, openThreaded } from "@pktio/threaded";
import { openUring, type UringRuntime } from "@pktio/uring";
import { RunWindow } from "./runWindow.js";
import { BLOCK, fillBlock, positionsIn } from "./randomBlocks.js";
import { positiveArg } from "./benchArgs.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const numberArg = (name: string, fallback: number): number => positiveArg(args, name, fallback, false);
const time = numberArg("--time", 2000);
const rounds = numberArg("--rounds", 3);
// Whole MiB: the file is written in 1 MiB chunks.
const fileSize = Math.ceil(numberArg("--size", 1024)) * 1024 * 1024;
const onlyIndex = args.indexOf("--only");
const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? "") : undefined;

const IN_FLIGHT = 64;
const SAMPLE = 512;
const blocks = fileSize / BLOCK;

/** A seeded stream of block-aligned positions (a different one per contender and round). */
function positions(seed: number): () => number {
  return positionsIn(blocks, seed);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

// ---- the file ----

const dir = mkdtempSync(join(tmpdir(), "pktio-bench-threaded-"));
const path = join(dir, "random.bin");
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

{
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(1024 * 1024);
  for (let block = 0; block < blocks; block += chunk.length / BLOCK) {
    for (let i = 0; i < chunk.length / BLOCK; i++) fillBlock(block + i, chunk.subarray(i * BLOCK, (i + 1) * BLOCK));
    writeSync(fd, chunk, 0, chunk.length, block * BLOCK);
  }
  closeSync(fd);
  // Read it all once so that every contender finds it in the page cache.
  const rfd = openSync(path, "r");
  for (let pos = 0; pos < fileSize; pos += chunk.length) readSync(rfd, chunk, 0, chunk.length, pos);
  closeSync(rfd);
}

// ---- contenders: each runs IN_FLIGHT lanes that issue reads back to back until the deadline ----

interface Contender {
  readonly name: string;
  /** Reads the SAMPLE positions of `next` and returns how many came back wrong. */
  check(next: () => number): Promise<number>;
  /** Runs for `ms` and returns the number of completed reads. */
  run(next: () => number, ms: number): Promise<number>;
  /**
   * Measures itself instead of being timed around `run` (fio, whose start-up is not reading; a
   * child process pinned to one core): reads/s, and CPU seconds per read when known.
   */
  measure?(ms: number): Promise<{ rate: number; cpuPerRead: number | undefined }>;
  close(): Promise<void>;
}

async function checkWith(next: () => number, readBlock: (pos: number, dst: Uint8Array) => Promise<number>, dst: Uint8Array): Promise<number> {
  const expected = new Uint8Array(BLOCK);
  let wrong = 0;
  for (let i = 0; i < SAMPLE; i++) {
    const pos = next();
    dst.fill(0);
    const count = await readBlock(pos, dst);
    fillBlock(pos / BLOCK, expected);
    if (count !== BLOCK || !equal(dst, expected)) wrong++;
  }
  return wrong;
}

/** IN_FLIGHT async loops over a promise-returning read. */
async function lanes(next: () => number, ms: number, buffers: Uint8Array[], readBlock: (pos: number, dst: Uint8Array) => Promise<number>): Promise<number> {
  const timed = new RunWindow(ms);
  let done = 0;
  await Promise.all(
    buffers.map(async (dst) => {
      while (timed.open) {
        if ((await readBlock(next(), dst)) !== BLOCK) throw new Error("short read");
        done++;
      }
    }),
  );
  return done;
}

/** A runtime and the file opened on it, made on first use by one contender. */
interface Opened {
  ready(): Promise<FileHandle>;
  close(): Promise<void>;
}

function opened(openRuntime: () => Runtime, options: OpenOptions = {}): Opened {
  let runtime: Runtime | undefined;
  let file: FileHandle | undefined;
  return {
    async ready() {
      runtime ??= openRuntime();
      file ??= await runtime.fs.open(path, options);
      return file;
    },
    close: async () => runtime?.close(),
  };
}

const threadedFile = (workers: number | undefined): Opened => opened(() => openThreaded(workers === undefined ? {} : { workers }));
const poolName = (workers: number | undefined): string => (workers === undefined ? `default pool (${DEFAULT_WORKERS})` : `${workers} worker${workers === 1 ? "" : "s"}`);

/** `readAt` in IN_FLIGHT async loops: a packet and a promise per read. */
function readAtContender(name: string, target: Opened, buffers: Uint8Array[]): Contender {
  return {
    name,
    check: async (next) => {
      const file = await target.ready();
      return checkWith(next, (pos, dst) => file.readAt(pos, dst), buffers[0] as Uint8Array);
    },
    run: async (next, ms) => {
      const file = await target.ready();
      return lanes(next, ms, buffers, (pos, dst) => file.readAt(pos, dst));
    },
    close: target.close,
  };
}

/** Without promises: one packet per lane, sent again from its completion callback. Buffers are made on first use. */
function rawContender(name: string, target: Opened, makeBuffers: () => Uint8Array[]): Contender {
  let made: Packet<Write>[] | undefined;
  const packetsFor = (): Packet<Write>[] => (made ??= makeBuffers().map((bytes) => Packet.wrap(bytes, Write)));
  return {
    name,
    check: async (next) => {
      const file = await target.ready();
      return checkWith(next, (pos, dst) => file.readAt(pos, dst), (packetsFor()[0] as Packet<Write>).bytes);
    },
    run: async (next, ms) => {
      const file = await target.ready();
      const packets = packetsFor();
      const timed = new RunWindow(ms);
      let done = 0;
      await new Promise<void>((resolve, reject) => {
        let live = packets.length;
        for (const packet of packets) {
          const output: PacketOutput = {
            onDone: (result) => {
              if (result.transferred !== BLOCK) return reject(result.error ?? new Error("short read"));
              done++;
              if (timed.open) sendPacket(file, next(), packet, output);
              else if (--live === 0) resolve();
            },
          };
          sendPacket(file, next(), packet, output);
        }
      });
      return done;
    },
    close: target.close,
  };
}

/** One in flight, blocking: `readAtSync` in a loop, no event-loop turn per read. */
function syncContender(name: string, target: Opened, dst: Uint8Array): Contender {
  return {
    name,
    check: async (next) => {
      const file = await target.ready();
      return checkWith(next, async (pos, bytes) => file.readAtSync(pos, bytes), dst);
    },
    run: async (next, ms) => {
      const file = await target.ready();
      const deadline = performance.now() + ms;
      let done = 0;
      while (performance.now() < deadline) {
        for (let i = 0; i < 64; i++) if (file.readAtSync(next(), dst) !== BLOCK) throw new Error("short read");
        done += 64;
      }
      return done;
    },
    close: target.close,
  };
}

const plain = (count: number): Uint8Array[] => Array.from({ length: count }, () => new Uint8Array(BLOCK));
const shared = (count: number): Uint8Array[] => Array.from({ length: count }, () => allocShared(BLOCK));

/** O_DIRECT over uring's registered pool: page-aligned slices, READ_FIXED, no page cache. */
function uringDirectContender(): Contender {
  let runtime: UringRuntime | undefined;
  const target = opened(() => (runtime = openUring({ registeredBuffers: { count: IN_FLIGHT, size: BLOCK } })), { direct: true });
  const slices = (): Uint8Array[] => Array.from({ length: IN_FLIGHT }, () => (runtime as UringRuntime).io.pool!.acquire());
  return rawContender(URING_DIRECT, target, slices);
}

function readSyncContender(): Contender {
  const fd = openSync(path, "r");
  const dst = new Uint8Array(BLOCK);
  return {
    name: "Node fs.readSync (1 in flight)",
    check: (next) => checkWith(next, async (pos, bytes) => readSync(fd, bytes, 0, BLOCK, pos), dst),
    run: async (next, ms) => {
      const deadline = performance.now() + ms;
      let done = 0;
      while (performance.now() < deadline) {
        for (let i = 0; i < 64; i++) if (readSync(fd, dst, 0, BLOCK, next()) !== BLOCK) throw new Error("short read");
        done += 64;
      }
      return done;
    },
    close: async () => closeSync(fd),
  };
}

/** fio on the same file, kept in the page cache (`--invalidate=0`); undefined when fio is missing. */
function fio(engine: "io_uring" | "psync", depth: number, direct: boolean, ms: number, sqpoll = false): { rate: number; cpuPerRead: number } | undefined {
  const report = join(dir, "fio.json");
  // bash's `times` gives the CPU time of its children (fio and every thread it made, the SQ thread too).
  const run = spawnSync("bash", ["-c", 'fio "$@" >/dev/null && times', "fio", 
    "--name=pktio",
    `--filename=${path}`,
    "--rw=randread",
    `--bs=${BLOCK}`,
    `--size=${fileSize}`,
    `--ioengine=${engine}`,
    `--iodepth=${depth}`,
    `--direct=${direct ? 1 : 0}`,
    `--runtime=${ms}ms`,
    "--time_based",
    "--invalidate=0",
    "--norandommap",
    ...(sqpoll ? ["--sqthread_poll=1"] : []),
    "--output-format=json",
    `--output=${report}`,
  ], { encoding: "utf8" });
  if (run.error !== undefined || run.status !== 0) return undefined;
  const job = (JSON.parse(readFileSync(report, "utf8")) as { jobs: { read: { iops: number; io_bytes: number } }[] }).jobs[0];
  if (job === undefined) return undefined;
  // `times` prints the shell's own line, then its children's: "0m1.234s 0m0.567s".
  const children = run.stdout.trim().split("\n").at(-1) ?? "";
  const cpuSeconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, minutes, seconds]) => sum + Number(minutes) * 60 + Number(seconds), 0);
  return { rate: job.read.iops, cpuPerRead: cpuSeconds / (job.read.io_bytes / BLOCK) };
}

const fioInstalled = spawnSync("fio", ["--version"], { encoding: "utf8" }).status === 0;

/**
 * fio as a contender, so that its rounds alternate with pktio's (the device and the host drift
 * over a run). Its reads are not checked here: fio reads the file, it does not return the bytes.
 */
function fioContender(name: string, engine: "io_uring" | "psync", depth: number, direct: boolean, sqpoll = false): Contender {
  return {
    name,
    check: async () => 0,
    run: async () => 0, // no warm-up: fio's own run is the measurement
    measure: async (ms) => {
      const measured = fio(engine, depth, direct, ms, sqpoll);
      if (measured === undefined) throw new Error(`${name}: fio failed`);
      return measured;
    },
    close: async () => undefined,
  };
}

function fileHandleContender(): Contender {
  let handle: NodeFileHandle | undefined;
  const buffers = Array.from({ length: IN_FLIGHT }, () => new Uint8Array(BLOCK));
  const readBlock = async (pos: number, dst: Uint8Array): Promise<number> => (await (handle as NodeFileHandle).read(dst, 0, BLOCK, pos)).bytesRead;
  return {
    name: "Node FileHandle.read (fs.promises)",
    check: async (next) => {
      handle ??= await openPromise(path, "r");
      return checkWith(next, readBlock, buffers[0] as Uint8Array);
    },
    run: async (next, ms) => {
      handle ??= await openPromise(path, "r");
      return lanes(next, ms, buffers, readBlock);
    },
    close: async () => handle?.close(),
  };
}

function callbackContender(): Contender {
  const fd = openSync(path, "r");
  const buffers = Array.from({ length: IN_FLIGHT }, () => new Uint8Array(BLOCK));
  return {
    name: "Node fs.read callbacks",
    check: (next) => checkWith(next, (pos, dst) => new Promise((resolve, reject) => read(fd, dst, 0, BLOCK, pos, (error, count) => (error === null ? resolve(count) : reject(error)))), buffers[0] as Uint8Array),
    run: (next, ms) => {
      const timed = new RunWindow(ms);
      let done = 0;
      return new Promise<number>((resolve, reject) => {
        let live = IN_FLIGHT;
        for (const dst of buffers) {
          const again = (error: NodeJS.ErrnoException | null, count: number): void => {
            if (error !== null || count !== BLOCK) return reject(error ?? new Error("short read"));
            done++;
            if (timed.open) read(fd, dst, 0, BLOCK, next(), again);
            else if (--live === 0) resolve(done);
          };
          read(fd, dst, 0, BLOCK, next(), again);
        }
      });
    },
    close: async () => closeSync(fd),
  };
}

const tasksetInstalled = spawnSync("taskset", ["--version"], { encoding: "utf8" }).status === 0;
const laneScript = fileURLToPath(new URL("./randomReadLane.ts", import.meta.url));

/**
 * uring `readAt` in a child process (randomReadLane.ts), on every core or pinned to CPU 0 with
 * `taskset -c 0`: the two compare one core with two in the same rounds. Its CPU is the child's.
 */
function laneContender(name: string, pinned: boolean, options: object = {}): Contender {
  let laneSeed = 0x1a9e;
  return {
    name,
    check: async () => 0, // the child checks a sample of its reads itself before it is timed
    run: async () => 0,
    measure: async (ms) => {
      const command = [process.execPath, "--import", "tsx", laneScript, path, String(blocks), String(ms), String(laneSeed++), JSON.stringify(options)];
      const run = spawnSync(pinned ? "taskset" : (command.shift() as string), pinned ? ["-c", "0", ...command] : command, { encoding: "utf8" });
      if (run.status !== 0) throw new Error(`${name}: ${run.stderr || run.error?.message}`);
      const { reads, seconds, cpuSeconds } = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as { reads: number; seconds: number; cpuSeconds: number };
      return { rate: reads / seconds, cpuPerRead: cpuSeconds / reads };
    },
    close: async () => undefined,
  };
}

// ---- the run ----

const THREADED = `threaded readAt, shared buffers, ${poolName(undefined)}`;
const URING = "uring readAt";
const URING_SHARED = "uring readAt, shared buffers (no bounce copy)";
const URING_RAW = "uring raw sendPacket";
const URING_SYNC = "uring readAtSync (1 in flight)";
const URING_DIRECT = "uring raw sendPacket, O_DIRECT, registered pool";
const FILE_HANDLE = "Node FileHandle.read (fs.promises)";
const CALLBACKS = "Node fs.read callbacks";
const READ_SYNC = "Node fs.readSync (1 in flight)";
const FIO_URING = "fio io_uring QD64";
const FIO_PSYNC = "fio psync QD1";
const FIO_DIRECT = "fio io_uring O_DIRECT QD64";
const FIO_SQPOLL = "fio io_uring QD64 --sqthread_poll";
const URING_SQPOLL = "uring readAt, sqpoll: true";
const URING_PLAIN = "uring readAt, plain ring (submitThread: false)";
const LANE_PLAIN = "uring readAt, own process, every core, plain ring (submitThread: false)";
const LANE = "uring readAt, own process, every core";
const LANE_PINNED = "uring readAt, own process, pinned to one core (taskset -c 0)";
const URING_SYNC_RING = "uring readAtSync through the ring, directSync: false (1 in flight)";
/** A shallow depth, where the hand-off to the submit thread must not cost (it did 0.2× the plain ring before 2026-12-07). */
const SHALLOW = 16;
const URING_SHALLOW = `uring readAt, ${SHALLOW} in flight`;
const URING_SHALLOW_PLAIN = `uring readAt, ${SHALLOW} in flight, plain ring (submitThread: false)`;
const uringFile = opened(() => openUring());
const plainRingFile = opened(() => openUring({ submitThread: false }));
const contenders: Contender[] = [
  readAtContender(URING, uringFile, plain(IN_FLIGHT)),
  readAtContender(URING_SHARED, uringFile, shared(IN_FLIGHT)),
  readAtContender(URING_PLAIN, plainRingFile, plain(IN_FLIGHT)),
  readAtContender(URING_SHALLOW, uringFile, plain(SHALLOW)),
  readAtContender(URING_SHALLOW_PLAIN, plainRingFile, plain(SHALLOW)),
  readAtContender(URING_SQPOLL, opened(() => openUring({ sqpoll: true })), plain(IN_FLIGHT)),
  ...(tasksetInstalled ? [laneContender(LANE, false), laneContender(LANE_PLAIN, false, { submitThread: false }), laneContender(LANE_PINNED, true)] : []),
  rawContender(URING_RAW, uringFile, () => plain(IN_FLIGHT)),
  syncContender(URING_SYNC, uringFile, new Uint8Array(BLOCK)),
  syncContender(URING_SYNC_RING, opened(() => openUring({ directSync: false })), new Uint8Array(BLOCK)),
  uringDirectContender(),
  // fio right after the uring rows it is compared with: the virtual disk drifts within a round.
  ...(fioInstalled
    ? [
        fioContender(FIO_DIRECT, "io_uring", IN_FLIGHT, true),
        fioContender(FIO_URING, "io_uring", IN_FLIGHT, false),
        fioContender(FIO_SQPOLL, "io_uring", IN_FLIGHT, false, true),
        fioContender(FIO_PSYNC, "psync", 1, false),
      ]
    : []),
  readAtContender(THREADED, threadedFile(undefined), shared(IN_FLIGHT)),
  fileHandleContender(),
  callbackContender(),
  readSyncContender(),
  ...[
    readAtContender(`threaded readAt, shared buffers, ${poolName(1)}`, threadedFile(1), shared(IN_FLIGHT)),
    readAtContender(`threaded readAt, shared buffers, ${poolName(4)}`, threadedFile(4), shared(IN_FLIGHT)),
    readAtContender(`threaded readAt, plain buffers (bounce path), ${poolName(undefined)}`, threadedFile(undefined), plain(IN_FLIGHT)),
    rawContender(`threaded raw sendPacket, shared buffers, ${poolName(undefined)}`, threadedFile(undefined), () => shared(IN_FLIGHT)),
    syncContender(`threaded readAtSync (1 in flight), ${poolName(undefined)}`, threadedFile(undefined), allocShared(BLOCK)),
    syncContender(`threaded readAtSync through the workers, directSync: false (1 in flight), ${poolName(undefined)}`, opened(() => openThreaded({ directSync: false })), allocShared(BLOCK)),
    syncContender("libuv readAtSync (1 in flight)", opened(() => openBackend("libuv")), new Uint8Array(BLOCK)),
  ].filter((contender) => only === undefined || contender.name.includes(only)),
];

let seed = 1;
for (const contender of contenders) {
  const wrong = await contender.check(positions(seed++));
  if (wrong !== 0) throw new Error(`${contender.name}: ${wrong} of ${SAMPLE} sampled reads returned wrong bytes`);
}

const rates = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
/** CPU seconds per read (user + system, every thread of the process that did the reads), per round. */
const cpuPerRead = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
const loadBefore = loadavg();
for (let round = 0; round < rounds; round++) {
  for (const contender of contenders) {
    await contender.run(positions(seed++), Math.min(200, time / 4)); // warm-up
    if (contender.measure !== undefined) {
      const measured = await contender.measure(time);
      rates.get(contender.name)?.push(measured.rate);
      if (measured.cpuPerRead !== undefined) cpuPerRead.get(contender.name)?.push(measured.cpuPerRead);
      continue;
    }
    const cpu = process.cpuUsage();
    const start = performance.now();
    const done = await contender.run(positions(seed++), time);
    const used = process.cpuUsage(cpu);
    rates.get(contender.name)?.push(done / ((performance.now() - start) / 1000));
    cpuPerRead.get(contender.name)?.push((used.user + used.system) / 1e6 / done);
  }
}
const loadAfter = loadavg();
for (const contender of contenders) await contender.close();

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const results = contenders.map((contender) => {
  const runs = rates.get(contender.name) ?? [];
  const cpu = cpuPerRead.get(contender.name) ?? [];
  return { name: contender.name, readsPerSecond: Math.round(median(runs)), min: Math.round(Math.min(...runs)), max: Math.round(Math.max(...runs)), cpuMicrosPerRead: cpu.length === 0 ? undefined : median(cpu) * 1e6 };
});
const cpuOf = (name: string): number => results.find((result) => result.name === name)?.cpuMicrosPerRead ?? Number.NaN;
const rateOf = (name: string): number => results.find((result) => result.name === name)?.readsPerSecond ?? Number.NaN;
const fioRates = fioInstalled
  ? { uring64: rateOf(FIO_URING), sqpoll64: rateOf(FIO_SQPOLL), psync1: rateOf(FIO_PSYNC), uringDirect64: rateOf(FIO_DIRECT) }
  : { uring64: undefined, sqpoll64: undefined, psync1: undefined, uringDirect64: undefined };
/** Each bar: measured ratio and the target it must reach. */
const bars = [
  { what: "uring readAt / FileHandle.read", ratio: rateOf(URING) / rateOf(FILE_HANDLE), target: 5 },
  { what: "uring readAt / fs.read callbacks", ratio: rateOf(URING) / rateOf(CALLBACKS), target: 1.3 },
  { what: "uring readAt / fio io_uring QD64 --sqthread_poll", ratio: rateOf(URING) / (fioRates.sqpoll64 ?? Number.NaN), target: 0.8 },
  { what: "uring readAt, shared buffers / fio io_uring QD64 --sqthread_poll", ratio: rateOf(URING_SHARED) / (fioRates.sqpoll64 ?? Number.NaN), target: 0.8 },
  { what: "uring readAt (own process): every core / one core", ratio: rateOf(LANE) / rateOf(LANE_PINNED), target: 1.5 },
  { what: "CPU per read: fs.read callbacks / uring readAt", ratio: cpuOf(CALLBACKS) / cpuOf(URING), target: 1 },
  { what: "uring readAt (own process, every core): submit thread / plain ring", ratio: rateOf(LANE) / rateOf(LANE_PLAIN), target: 1 },
  { what: `uring readAt at ${SHALLOW} in flight: default / plain ring`, ratio: rateOf(URING_SHALLOW) / rateOf(URING_SHALLOW_PLAIN), target: 0.9 },
  { what: "uring readAt / fio io_uring QD64", ratio: rateOf(URING) / (fioRates.uring64 ?? Number.NaN), target: 0.8 },
  { what: "uring raw sendPacket / fio io_uring QD64", ratio: rateOf(URING_RAW) / (fioRates.uring64 ?? Number.NaN), target: 0.8 },
  { what: "uring readAtSync / fs.readSync", ratio: rateOf(URING_SYNC) / rateOf(READ_SYNC), target: 0.9 },
  { what: "uring O_DIRECT pool / fio io_uring O_DIRECT QD64", ratio: rateOf(URING_DIRECT) / (fioRates.uringDirect64 ?? Number.NaN), target: 0.9 },
  { what: "threaded readAt / FileHandle.read", ratio: rateOf(THREADED) / rateOf(FILE_HANDLE), target: 2 },
];

if (json) {
  console.log(JSON.stringify({ fileSize, block: BLOCK, inFlight: IN_FLIGHT, time, rounds, loadBefore, loadAfter, results, fio: fioRates, bars }, null, 2));
} else {
  console.log(`4 KiB random reads, ${IN_FLIGHT} in flight unless noted, ${fileSize / 1024 / 1024} MiB page-cached file; median of ${rounds} rounds of ${time} ms`);
  const k = (value: number): string => `${(value / 1000).toFixed(1)}k`;
  console.log(`load average ${loadBefore.map((value) => value.toFixed(2)).join(" ")} before, ${loadAfter.map((value) => value.toFixed(2)).join(" ")} after`);
  for (const { name, readsPerSecond, min, max, cpuMicrosPerRead } of results) {
    const cpu = cpuMicrosPerRead === undefined ? "" : `   ${cpuMicrosPerRead.toFixed(2)} CPU µs/read`;
    console.log(`  ${name.padEnd(62)} ${k(readsPerSecond).padStart(7)} reads/s   (rounds ${k(min)} … ${k(max)})${cpu}`);
  }
  if (!fioInstalled) console.log("  fio rows skipped: fio is not installed (apt-get install -y fio)");
  for (const bar of bars) console.log(`${bar.what}: ${Number.isNaN(bar.ratio) ? "n/a" : `${bar.ratio.toFixed(2)}×`}   (bar: ≥ ${bar.target}×${bar.ratio >= bar.target ? ", met" : Number.isNaN(bar.ratio) ? "" : ", NOT met"})`);
}
