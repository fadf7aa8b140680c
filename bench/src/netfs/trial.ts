/**
 * One contender of bench:netfs in its own process. It checks a sample of its reads against the
 * local copy of the file before it is timed, then reads for `seconds` and prints one JSON line.
 * Contenders: pktio (openHttpFile, `inFlight` reads kept in flight, coalescing on or off),
 * fetch one read at a time, `inFlight` concurrent fetch loops, the same two in waves of
 * `inFlight` reads (Promise.all), and hyparquet reading a whole parquet file through pktio or
 * through its own asyncBufferFromUrl.
 * Usage: tsx trial.ts '{"kind": …, "url": …, "local": …, "seconds": …, "inFlight": …}'
 */
import { readFileSync } from "node:fs";
import { asyncBufferFromUrl, parquetReadObjects, type AsyncBuffer } from "hyparquet";
import { openHttpFile, type HttpFile } from "@pktio/netfs";

interface Spec {
  kind: "pktio" | "fetch-serial" | "fetch-concurrent" | "pktio-waves" | "fetch-waves" | "hyparquet-pktio" | "hyparquet-fetch";
  url: string;
  local: string;
  seconds: number;
  inFlight: number;
  coalesce?: boolean;
}

const spec = JSON.parse(process.argv[2] ?? "{}") as Spec;
const expected = new Uint8Array(readFileSync(spec.local));
const BLOCK = 4096;
const blocks = Math.floor(expected.length / BLOCK);

/** xorshift32 from a fixed seed: every contender reads the same sequence of blocks. */
let state = 0x5eed1;
function nextBlock(): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state % blocks;
}

function check(pos: number, bytes: Uint8Array): void {
  if (bytes.length !== BLOCK || !Buffer.from(bytes).equals(Buffer.from(expected.subarray(pos, pos + BLOCK)))) {
    throw new Error(`${spec.kind}: wrong bytes at ${pos}`);
  }
}

async function fetchBlock(pos: number): Promise<Uint8Array> {
  const response = await fetch(spec.url, { headers: { range: `bytes=${pos}-${pos + BLOCK - 1}` } });
  if (response.status !== 206) throw new Error(`fetch: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function pktioBlock(file: HttpFile, pos: number): Promise<Uint8Array> {
  const dst = new Uint8Array(BLOCK);
  await file.readExactAt(pos, dst);
  return dst;
}

/** Runs `one` with `depth` kept in flight until the deadline; the count of reads done. */
async function keepInFlight(depth: number, deadline: number, one: (pos: number) => Promise<Uint8Array>, verify: boolean): Promise<number> {
  let done = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const pos = nextBlock() * BLOCK;
      const bytes = await one(pos);
      if (verify) check(pos, bytes);
      done++;
    }
  };
  await Promise.all(Array.from({ length: depth }, lane));
  return done;
}

/** Waves of `width` reads issued together, each wave awaited whole. */
async function waves(width: number, deadline: number, one: (pos: number) => Promise<Uint8Array>, verify: boolean): Promise<number> {
  let done = 0;
  while (performance.now() < deadline) {
    const positions = Array.from({ length: width }, () => nextBlock() * BLOCK);
    const results = await Promise.all(positions.map(one));
    if (verify) results.forEach((bytes, index) => check(positions[index] as number, bytes));
    done += width;
  }
  return done;
}

/** The delay proxy's counters: `__reset` zeroes them, `__stats` reads them. */
async function proxy(what: "__reset" | "__stats"): Promise<unknown> {
  const response = await fetch(new URL(`/${what}`, spec.url));
  return response.json();
}

async function main(): Promise<void> {
  const ms = spec.seconds * 1000;
  if (spec.kind.startsWith("hyparquet")) {
    let file: HttpFile | undefined;
    let buffer: AsyncBuffer;
    if (spec.kind === "hyparquet-pktio") {
      const opened = await openHttpFile(spec.url, { connections: spec.inFlight, ...(spec.coalesce === undefined ? {} : { coalesce: spec.coalesce }) });
      file = opened;
      buffer = {
        byteLength: opened.sizeSync(),
        slice: async (start, end) => {
          const bytes = new Uint8Array((end ?? opened.sizeSync()) - start);
          await opened.readExactAt(start, bytes);
          return bytes.buffer;
        },
      };
    } else {
      buffer = await asyncBufferFromUrl({ url: spec.url });
    }
    // Checked first: the rows must be the ones written (a column of i, one of i * 3).
    const rows = (await parquetReadObjects({ file: buffer })) as { id: number; triple: number }[];
    if (rows.length === 0 || rows.some((row, index) => Number(row.id) !== index || Number(row.triple) !== index * 3)) throw new Error(`${spec.kind}: wrong rows`);
    await proxy("__reset");
    const deadline = performance.now() + ms;
    const started = performance.now();
    let reads = 0;
    while (performance.now() < deadline) {
      await parquetReadObjects({ file: buffer });
      reads++;
    }
    const seconds = (performance.now() - started) / 1000;
    const wire = (await proxy("__stats")) as { requests: number; bytes: number };
    console.log(JSON.stringify({ kind: spec.kind, reads, seconds, rate: reads / seconds, rows: rows.length, requests: wire.requests, bytes: wire.bytes }));
    await file?.close();
    return;
  }
  let file: HttpFile | undefined;
  let one: (pos: number) => Promise<Uint8Array>;
  if (spec.kind.startsWith("pktio")) {
    const opened = await openHttpFile(spec.url, { connections: spec.inFlight, ...(spec.coalesce === undefined ? {} : { coalesce: spec.coalesce }) });
    file = opened;
    one = (pos) => pktioBlock(opened, pos);
  } else {
    one = fetchBlock;
  }
  const depth = spec.kind === "fetch-serial" ? 1 : spec.inFlight;
  const run = spec.kind.endsWith("waves") ? waves : keepInFlight;
  // The check: one short run with every read compared with the file, before the timed run.
  await run(depth, performance.now() + Math.min(300, ms / 4), one, true);
  await proxy("__reset");
  const cpu = process.cpuUsage();
  const started = performance.now();
  const reads = await run(depth, started + ms, one, false);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const wire = (await proxy("__stats")) as { requests: number; bytes: number };
  // CPU time per read of this (client) process: what load on a shared machine distorts least.
  const cpuUsPerRead = (used.user + used.system) / reads;
  console.log(JSON.stringify({ kind: spec.kind, reads, seconds, rate: reads / seconds, requests: wire.requests, bytes: wire.bytes, cpuUsPerRead }));
  await file?.close();
}

await main();
