/**
 * Typed reads against their floor: 50k 4-byte reads (`u32le`) at seeded positions of a
 * page-cached 4 MiB file, on every backend that works here, through
 *   - `readExactAtSync` + DataView (the floor),
 *   - `file.readNumberAtSync`, and a sync `Cursor` (`seek` + `readNumberSync`),
 *   - and, one at a time, `await readExactAt` + DataView against `await readNumberAt`.
 * Each contender checks its values against the file's bytes before anything is timed. Rounds
 * alternate between contenders (paired); the median of the rounds is reported, with each
 * contender's ratio to its floor (sync ones to the sync floor, async ones to the async floor).
 * Run it on the built packages (`pnpm build`).
 * Usage: pnpm --filter @pktio/bench run bench:typed-read [--rounds N] [--reads N] [--json]
 */
import { closeSync, mkdtempSync, openSync, read, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendNames, Cursor, type FileHandle } from "@pktio/core";
import { openBackend } from "@pktio/rt";
import { positiveArg } from "./benchArgs.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const numberArg = (name: string, fallback: number): number => positiveArg(args, name, fallback);
const rounds = numberArg("--rounds", 7);
const reads = numberArg("--reads", 50_000);
// The async contenders run one read at a time, which costs a loop round trip each: fewer reads.
const asyncReads = Math.max(1, Math.floor(reads / 10));

const FILE_SIZE = 4 * 1024 * 1024;
const bytes = new Uint8Array(FILE_SIZE);
for (let i = 0, x = 0x5eed; i < FILE_SIZE; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  bytes[i] = x >>> 24;
}
const reference = new DataView(bytes.buffer);
const positions = new Float64Array(reads);
for (let i = 0, x = 0x7e57; i < reads; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  positions[i] = (x >>> 0) % (FILE_SIZE - 4);
}

const dir = mkdtempSync(join(tmpdir(), "pktio-bench-typed-"));
const path = join(dir, "typed.bin");
writeFileSync(path, bytes);

interface Contender {
  readonly name: string;
  readonly floor: string;
  readonly reads: number;
  /** Runs the reads; returns the sum of the values (checked against the reference). */
  run(file: FileHandle, count: number): number | Promise<number>;
}

const nodeFd = openSync(path, "r");
const scratch = new Uint8Array(4);
const scratchView = new DataView(scratch.buffer);
const contenders: Contender[] = [
  {
    name: "readExactAtSync + DataView",
    floor: "readExactAtSync + DataView",
    reads,
    run(file, count) {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        file.readExactAtSync(positions[i] as number, scratch);
        sum += scratchView.getUint32(0, true);
      }
      return sum;
    },
  },
  {
    name: "readNumberAtSync",
    floor: "readExactAtSync + DataView",
    reads,
    run(file, count) {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += file.readNumberAtSync(positions[i] as number, "u32le");
      return sum;
    },
  },
  {
    name: "Cursor.readNumberSync",
    floor: "readExactAtSync + DataView",
    reads,
    run(file, count) {
      const cursor = new Cursor(file);
      let sum = 0;
      for (let i = 0; i < count; i++) {
        cursor.seek(positions[i] as number);
        sum += cursor.readNumberSync("u32le");
      }
      return sum;
    },
  },
  {
    name: "await readExactAt + DataView",
    floor: "await readExactAt + DataView",
    reads: asyncReads,
    async run(file, count) {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        await file.readExactAt(positions[i] as number, scratch);
        sum += scratchView.getUint32(0, true);
      }
      return sum;
    },
  },
  {
    name: "await readNumberAt",
    floor: "await readExactAt + DataView",
    reads: asyncReads,
    async run(file, count) {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += await file.readNumberAt(positions[i] as number, "u32le");
      return sum;
    },
  },
  {
    // Node's own one-at-a-time read through libuv's thread pool: the floor every backend's
    // async round trip is compared with (the same on every row; it does not use the pktio file).
    name: "await fs.read (Node, callback) + DataView",
    floor: "await readExactAt + DataView",
    reads: asyncReads,
    async run(_file, count) {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        await new Promise<void>((resolve, reject) => read(nodeFd, scratch, 0, 4, positions[i] as number, (error) => (error === null ? resolve() : reject(error))));
        sum += scratchView.getUint32(0, true);
      }
      return sum;
    },
  },
  {
    name: "await readAt + DataView",
    floor: "await readExactAt + DataView",
    reads: asyncReads,
    async run(file, count) {
      let sum = 0;
      for (let i = 0; i < count; i++) {
        await file.readAt(positions[i] as number, scratch);
        sum += scratchView.getUint32(0, true);
      }
      return sum;
    },
  },
];

function expectedSum(count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += reference.getUint32(positions[i] as number, true);
  return sum;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

interface Row {
  backend: string;
  contender: string;
  reads: number;
  nsPerRead: number;
  ratioToFloor: number;
}

const rows: Row[] = [];
try {
  for (const backend of BackendNames) {
    let runtime;
    try {
      runtime = openBackend(backend);
    } catch (error) {
      if (!json) console.log(`${backend}: skipped (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    const file = await runtime.fs.open(path, { read: true });
    try {
      for (const contender of contenders) {
        const got = await contender.run(file, contender.reads);
        if (got !== expectedSum(contender.reads)) throw new Error(`${backend} ${contender.name}: sum ${got}, expected ${expectedSum(contender.reads)}`);
      }
      const times = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const contender of contenders) {
          const start = process.hrtime.bigint();
          await contender.run(file, contender.reads);
          times.get(contender.name)?.push(Number(process.hrtime.bigint() - start) / contender.reads);
        }
      }
      const perRead = new Map([...times].map(([name, values]) => [name, median(values)]));
      for (const contender of contenders) {
        const ns = perRead.get(contender.name) as number;
        rows.push({ backend, contender: contender.name, reads: contender.reads, nsPerRead: ns, ratioToFloor: ns / (perRead.get(contender.floor) as number) });
      }
    } finally {
      await file.close();
      await runtime.close();
    }
  }
} finally {
  closeSync(nodeFd);
  rmSync(dir, { recursive: true, force: true });
}

if (json) console.log(JSON.stringify({ node: process.version, rounds, rows }, null, 2));
else {
  console.log(`typed reads, u32le, median of ${rounds} paired rounds, Node ${process.version}`);
  console.log("| backend | contender | reads | ns/read | × floor |");
  console.log("|---|---|---:|---:|---:|");
  for (const row of rows) console.log(`| ${row.backend} | ${row.contender} | ${row.reads} | ${row.nsPerRead.toFixed(0)} | ${row.ratioToFloor.toFixed(2)}× |`);
}
