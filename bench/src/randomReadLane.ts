/**
 * The random-read bench's child process: uring `readAt` at 64 in flight on the bench's file, run
 * where the parent places it (`taskset -c 0` for the one-core rows), so that one run of the bench
 * compares one core with two side by side. Checks a sample of reads, warms up, then prints one
 * JSON line: reads, wall seconds, CPU seconds of the whole process (every thread) and of the JS
 * thread alone.
 * Usage (by randomRead.ts): tsx src/randomReadLane.ts FILE BLOCKS MS SEED [URING-OPTIONS-JSON]
 */
import { readFileSync } from "node:fs";
import { openUring, type UringOptions } from "@pktio/uring";
import { RunWindow } from "./runWindow.js";
import { BLOCK, fillBlock, positionsIn } from "./randomBlocks.js";

const [file, blocksArg, msArg, seedArg, optionsArg] = process.argv.slice(2);
const blocks = Number(blocksArg);
const ms = Number(msArg);
const seed = Number(seedArg);
if (file === undefined || !(blocks > 0) || !(ms > 0) || !Number.isInteger(seed)) {
  console.error("usage: randomReadLane.ts FILE BLOCKS MS SEED [URING-OPTIONS-JSON]");
  process.exit(2);
}
const IN_FLIGHT = 64;
const runtime = openUring(optionsArg === undefined ? {} : (JSON.parse(optionsArg) as UringOptions));
const handle = await runtime.fs.open(file);
const next = positionsIn(blocks, seed);
const buffers = Array.from({ length: IN_FLIGHT }, () => new Uint8Array(BLOCK));

const expected = new Uint8Array(BLOCK);
for (let i = 0; i < 128; i++) {
  const pos = next();
  const dst = buffers[0] as Uint8Array;
  if ((await handle.readAt(pos, dst)) !== BLOCK) throw new Error("short read");
  fillBlock(pos / BLOCK, expected);
  if (Buffer.compare(dst, expected) !== 0) throw new Error(`wrong bytes at ${pos}`);
}

async function lanes(duration: number): Promise<number> {
  const timed = new RunWindow(duration);
  let done = 0;
  await Promise.all(
    buffers.map(async (dst) => {
      while (timed.open) {
        if ((await handle.readAt(next(), dst)) !== BLOCK) throw new Error("short read");
        done++;
      }
    }),
  );
  return done;
}

/** CPU seconds of this (the JS) thread so far, from /proc: the thread that binds the rate. */
function jsThreadSeconds(): number {
  const fields = readFileSync("/proc/thread-self/stat", "utf8").replace(/^.*\) /s, "").split(" ");
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

await lanes(Math.min(200, ms / 4));
const jsBefore = jsThreadSeconds();
const cpu = process.cpuUsage();
const start = performance.now();
const reads = await lanes(ms);
const seconds = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
const jsSeconds = jsThreadSeconds() - jsBefore;
console.log(JSON.stringify({ reads, seconds, cpuSeconds: (used.user + used.system) / 1e6, jsThreadCpuSeconds: jsSeconds }));
await runtime.close();
