/**
 * Streams against Node's: sha256 of a page-cached 256 MiB file through `fs.createReadStream`
 * (the reference, default options) and through pktio's `file.createReadable()` on every backend
 * that works here (default options, and Node's shape: 64 KiB chunks, one read at a time), plus
 * `createReadableStream()` read by a BYOB reader (64 KiB buffer). Each
 * contender's digest is checked against the reference before anything is timed. Each round runs
 * every pktio contender paired with a run of fs.createReadStream next to it; reported are the
 * median MiB/s and the median of the per-pair throughput ratios to fs.createReadStream
 * (≥ 1.00× is as fast as Node or faster).
 * Run it on the built packages (`pnpm build`).
 * Usage: pnpm --filter @pktio/bench run bench:stream [--rounds N] [--size MiB] [--json]
 */
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, openSync, closeSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { BackendNames, type FileHandle, type ReadStreamOptions, type Runtime } from "@pktio/core";
import { openBackend } from "@pktio/rt";
import { positiveArg } from "./benchArgs.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const numberArg = (name: string, fallback: number): number => positiveArg(args, name, fallback);
const rounds = numberArg("--rounds", 5);
const size = numberArg("--size", 256) * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), "pktio-bench-stream-"));
const path = join(dir, "stream.bin");
{
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(1024 * 1024);
  for (let written = 0, x = 0x5eed; written < size; written += chunk.byteLength) {
    const words = new Uint32Array(chunk.buffer);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

async function hashNode(): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

async function hashReadable(file: FileHandle, options?: ReadStreamOptions): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(file.createReadable(options), hash);
  return hash.digest("hex");
}

async function hashByob(file: FileHandle): Promise<string> {
  const hash = createHash("sha256");
  const reader = file.createReadableStream().getReader({ mode: "byob" });
  let buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const { value, done } = await reader.read(buffer);
    if (done || value === undefined) break;
    hash.update(value);
    buffer = new Uint8Array(value.buffer);
  }
  return hash.digest("hex");
}

interface Contender {
  readonly name: string;
  run(): Promise<string>;
}

const opened: { runtime: Runtime; file: FileHandle }[] = [];
const contenders: Contender[] = [{ name: "fs.createReadStream", run: hashNode }];
const skipped: string[] = [];
try {
  for (const backend of BackendNames) {
    let runtime: Runtime;
    try {
      runtime = openBackend(backend);
    } catch (error) {
      skipped.push(`${backend}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const file = await runtime.fs.open(path, { read: true });
    opened.push({ runtime, file });
    contenders.push({ name: `${backend} createReadable`, run: () => hashReadable(file) });
    // Node's shape (64 KiB, one read at a time): what createReadable did before issue 12.
    contenders.push({ name: `${backend} createReadable 64 KiB × 1`, run: () => hashReadable(file, { highWaterMark: 64 * 1024, readAhead: 1 }) });
    contenders.push({ name: `${backend} BYOB stream`, run: () => hashByob(file) });
  }

  const reference = await hashNode();
  for (const contender of contenders) {
    const digest = await contender.run();
    if (digest !== reference) throw new Error(`${contender.name}: digest ${digest}, expected ${reference}`);
  }
  // Paired rounds: each pktio contender runs right next to a run of fs.createReadStream (which
  // goes first alternates by round), and its ratio is taken within the pair, so that the load of
  // a shared machine, which drifts over seconds, weighs on both sides of each ratio alike.
  const [node, ...pktio] = contenders as [Contender, ...Contender[]];
  const seconds = async (contender: Contender): Promise<number> => {
    const start = process.hrtime.bigint();
    await contender.run();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const samples = new Map<string, { seconds: number[]; ratios: number[] }>(contenders.map((contender) => [contender.name, { seconds: [], ratios: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const contender of pktio) {
      const nodeFirst = round % 2 === 0;
      const first = await seconds(nodeFirst ? node : contender);
      const second = await seconds(nodeFirst ? contender : node);
      const [nodeSeconds, ownSeconds] = nodeFirst ? [first, second] : [second, first];
      samples.get(node.name)?.seconds.push(nodeSeconds);
      samples.get(contender.name)?.seconds.push(ownSeconds);
      samples.get(contender.name)?.ratios.push(nodeSeconds / ownSeconds);
    }
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const rows = contenders.map((contender) => {
    const { seconds: own, ratios } = samples.get(contender.name) as { seconds: number[]; ratios: number[] };
    return { contender: contender.name, mibPerSecond: size / 1024 / 1024 / median(own), relativeToNode: contender === node ? 1 : median(ratios) };
  });
  if (json) console.log(JSON.stringify({ node: process.version, rounds, sizeMiB: size / 1024 / 1024, rows, skipped }, null, 2));
  else {
    console.log(`sha256 of ${size / 1024 / 1024} MiB, median of ${rounds} rounds, each contender paired with fs.createReadStream, Node ${process.version}`);
    for (const line of skipped) console.log(`skipped ${line}`);
    console.log("| contender | MiB/s | throughput × fs.createReadStream |");
    console.log("|---|---:|---:|");
    for (const row of rows) console.log(`| ${row.contender} | ${row.mibPerSecond.toFixed(0)} | ${row.relativeToNode.toFixed(2)}× |`);
  }
} finally {
  for (const { runtime, file } of opened) {
    await file.close();
    await runtime.close();
  }
  rmSync(dir, { recursive: true, force: true });
}
