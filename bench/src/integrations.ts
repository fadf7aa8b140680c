/**
 * What the integration paths of docs/integrations.md cost next to Node's own fs, side by side in
 * one run on a page-cached seeded file: (1) 4 KiB random `FileHandle.read`s one at a time, Node's
 * `fs.promises` handle against `toNodeFileHandle` over each backend's file; (2) a sha256 of the
 * whole file through Node's `fs.createReadStream`, the facade's `createReadStream`, `file.chunks()`
 * and `file.chunksSync()`. Each contender checks its result before it is timed; rounds alternate
 * between contenders and the median round is reported, as a ratio of Node's time (lower is
 * faster). Run it on the built packages (`pnpm build`).
 * Usage: pnpm --filter @pktio/bench run bench:integrations [--size MiB] [--rounds N] [--reads N]
 */
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { toNodeFileHandle, type FileHandle, type Runtime } from "@pktio/core";
import { openEach } from "@pktio/rt";
import { describeMachine } from "@pktio/cli";
import { positiveArg } from "./benchArgs.js";

const args = process.argv.slice(2);
const numberArg = (name: string, fallback: number): number => positiveArg(args, name, fallback);
const size = numberArg("--size", 256) * 1024 * 1024;
const rounds = numberArg("--rounds", 5);
const reads = numberArg("--reads", 50_000);
const BLOCK = 4096;

const dir = mkdtempSync(join(tmpdir(), "pktio-bench-integrations-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, "data.bin");
const data = Buffer.alloc(size);
for (let i = 0, x = 0x1234567; i < size; i += 4) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  data.writeInt32LE(x | 0, i);
}
writeFileSync(path, data);
const expectedHash = createHash("sha256").update(data).digest("hex");

/** Seeded block-aligned positions, the same sequence for every contender. */
function positions(): number[] {
  const out: number[] = [];
  for (let i = 0, x = 0x7ead; i < reads; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push(((x >>> 0) % (size / BLOCK)) * BLOCK);
  }
  return out;
}
const readPositions = positions();

type Reader = { read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> };

async function randomReads(handle: Reader): Promise<void> {
  const buffer = Buffer.alloc(BLOCK);
  for (const position of readPositions) if ((await handle.read(buffer, 0, BLOCK, position)).bytesRead !== BLOCK) throw new Error("short read");
}

async function checkReads(handle: Reader): Promise<void> {
  const buffer = Buffer.alloc(BLOCK);
  for (const position of readPositions.slice(0, 256)) {
    await handle.read(buffer, 0, BLOCK, position);
    if (!buffer.equals(data.subarray(position, position + BLOCK))) throw new Error(`wrong bytes at ${position}`);
  }
}

interface Contender {
  readonly trial: string;
  readonly name: string;
  /** Runs the trial once and throws if the result is wrong. */
  run(): Promise<void>;
}

async function hashOf(stream: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(stream, hash);
  return hash.digest("hex");
}

function checked(hex: string): void {
  if (hex !== expectedHash) throw new Error("wrong sha256");
}

const runtimes: Runtime[] = await openEach();
const files = new Map<string, FileHandle>();
for (const rt of runtimes) files.set(rt.backend, await rt.fs.open(path));
const nodeHandle = await open(path);

const contenders: Contender[] = [
  { trial: "4 KiB random FileHandle.read, one at a time", name: "node fs.promises", run: () => randomReads(nodeHandle) },
  { trial: "sha256 of the file", name: "node fs.createReadStream", run: async () => checked(await hashOf(createReadStream(path, { highWaterMark: 64 * 1024 }))) },
];
for (const [backend, file] of files) {
  const facade = toNodeFileHandle(file);
  await checkReads(facade);
  contenders.push(
    { trial: "4 KiB random FileHandle.read, one at a time", name: `toNodeFileHandle (${backend})`, run: () => randomReads(facade) },
    { trial: "sha256 of the file", name: `toNodeFileHandle createReadStream (${backend})`, run: async () => checked(await hashOf(facade.createReadStream({ autoClose: false, start: 0, highWaterMark: 64 * 1024 }))) },
    {
      trial: "sha256 of the file",
      name: `file.chunks() (${backend})`,
      run: async () => {
        const hash = createHash("sha256");
        for await (const chunk of file.chunks()) hash.update(chunk);
        checked(hash.digest("hex"));
      },
    },
    {
      trial: "sha256 of the file",
      name: `file.chunksSync() (${backend})`,
      run: async () => {
        const hash = createHash("sha256");
        for (const chunk of file.chunksSync()) hash.update(chunk);
        checked(hash.digest("hex"));
      },
    },
  );
}

// One untimed run each (checks the result, warms up), then alternating timed rounds.
for (const contender of contenders) await contender.run();
const times = new Map<Contender, number[]>(contenders.map((contender) => [contender, []]));
for (let round = 0; round < rounds; round++) {
  for (const contender of contenders) {
    const started = performance.now();
    await contender.run();
    times.get(contender)?.push(performance.now() - started);
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const machine = describeMachine();
console.log(`machine: ${JSON.stringify(machine)}`);
console.log(`date: ${new Date().toISOString()}; file ${size / 1024 / 1024} MiB (page-cached), ${reads} reads, median of ${rounds} rounds`);
for (const trial of new Set(contenders.map((contender) => contender.trial))) {
  const group = contenders.filter((contender) => contender.trial === trial);
  const reference = median(times.get(group[0] as Contender) as number[]);
  console.log(`\n${trial}`);
  for (const contender of group) {
    const ms = median(times.get(contender) as number[]);
    console.log(`  ${contender.name.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms  ${(ms / reference).toFixed(2)}× Node's time`);
  }
}
await nodeHandle.close();
for (const rt of runtimes) await rt.close();
