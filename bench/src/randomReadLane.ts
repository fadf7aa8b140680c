/**
 * The random-read bench's child process: uring `readAt` at 64 in flight on the bench's file, run
 * where the parent places it (`taskset -c 0` for the one-core rows), so that one run of the bench
 * compares one core with two side by side. Checks a sample of reads, warms up, then prints one
 * JSON line: reads, wall seconds and CPU seconds of the whole process (every thread).
 * Usage (by randomRead.ts): tsx src/randomReadLane.ts FILE BLOCKS MS SEED [URING-OPTIONS-JSON]
 */
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

await lanes(Math.min(200, ms / 4));
const cpu = process.cpuUsage();
const start = performance.now();
const reads = await lanes(ms);
const seconds = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ reads, seconds, cpuSeconds: (used.user + used.system) / 1e6 }));
await runtime.close();
