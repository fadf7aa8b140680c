/**
 * bench:netfs — random 4 KiB reads of a remote file through a delay proxy (1 ms and 20 ms per
 * response), side by side in one run, one process per contender: @pktio/netfs's openHttpFile
 * with 64 reads in flight (coalescing on and off) against one `fetch` per read awaited in turn
 * and against 64 concurrent `fetch` loops; the same in waves of 64 reads issued together; and
 * hyparquet reading a whole parquet file (written with hyparquet-writer) through pktio against
 * its own asyncBufferFromUrl. Each contender checks its reads against the file before it is
 * timed. Requests and bytes are counted by the proxy, on the wire. Prints a markdown table of
 * rates and ratios (with the machine and date) and the targets: pktio ≥ 30× one-at-a-time at
 * 20 ms, and ≥ 1.0× 64 concurrent fetch with fewer requests. Run on the built packages.
 * Usage: pnpm --filter @pktio/bench run bench:netfs [--seconds S] [--send] [--json]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describeMachine } from "./matrix/machine.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
// The origin behind the proxy: files in memory by default (less CPU on a shared machine), `send` with --send.
const send = args.includes("--send");
const secondsIndex = args.indexOf("--seconds");
const seconds = secondsIndex >= 0 ? Number(args[secondsIndex + 1]) : 1;
if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 10) {
  console.error("--seconds takes a number in (0, 10]");
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const FILE_SIZE = 16 * 1024 * 1024;
const ROWS = 200_000;
const IN_FLIGHT = 64;
const DELAYS = [1, 20];

/** Deterministic bytes (xorshift32), so a failed check can be reproduced. */
function seeded(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const words = new Uint32Array(bytes.buffer);
  let x = 0x7ead5eed;
  for (let index = 0; index < words.length; index++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[index] = x >>> 0;
  }
  return bytes;
}

interface TrialResult {
  kind: string;
  cpuUsPerRead?: number;
  reads: number;
  seconds: number;
  rate: number;
  requests: number;
  bytes: number;
}

function runTrial(spec: Record<string, unknown>): TrialResult {
  const run = spawnSync(process.execPath, ["--import", tsx, join(here, "netfs", "trial.ts"), JSON.stringify(spec)], { encoding: "utf8", timeout: 60_000 });
  if (run.status !== 0) throw new Error(`trial ${JSON.stringify(spec)} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1) as string) as TrialResult;
}

const dir = mkdtempSync(join(tmpdir(), "pktio-bench-netfs-"));
writeFileSync(join(dir, "data.bin"), seeded(FILE_SIZE));
const ids = Int32Array.from({ length: ROWS }, (_, index) => index);
const triples = Int32Array.from({ length: ROWS }, (_, index) => index * 3);
const parquet = parquetWriteBuffer({ columnData: [{ name: "id", data: ids, type: "INT32" }, { name: "triple", data: triples, type: "INT32" }], rowGroupSize: 20_000, codec: "UNCOMPRESSED" });
writeFileSync(join(dir, "table.parquet"), new Uint8Array(parquet));

const server = spawn(process.execPath, ["--import", tsx, join(here, "netfs", "server.ts"), ...(send ? [] : ["--memory"]), dir, ...DELAYS.map(String)], { stdio: ["ignore", "pipe", "inherit"] });
const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
try {
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once("line", resolve);
    server.once("exit", (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  const { proxies } = JSON.parse(line) as { proxies: Record<string, string> };
  const machine = describeMachine();
  const results: Record<string, Record<string, TrialResult>> = {};
  for (const delay of DELAYS) {
    const base = proxies[String(delay)] as string;
    const blocks = { url: base + "data.bin", local: join(dir, "data.bin"), seconds, inFlight: IN_FLIGHT };
    const table = { url: base + "table.parquet", local: join(dir, "table.parquet"), seconds, inFlight: IN_FLIGHT };
    const trials: Record<string, Record<string, unknown>> = {
      "fetch, one at a time": { ...blocks, kind: "fetch-serial" },
      "fetch, 64 concurrent": { ...blocks, kind: "fetch-concurrent" },
      "pktio, 64 in flight": { ...blocks, kind: "pktio" },
      "pktio, 64 in flight, no coalescing": { ...blocks, kind: "pktio", coalesce: false },
      "fetch, waves of 64": { ...blocks, kind: "fetch-waves" },
      "pktio, waves of 64": { ...blocks, kind: "pktio-waves" },
      "pktio, waves of 64, no coalescing": { ...blocks, kind: "pktio-waves", coalesce: false },
      "hyparquet, asyncBufferFromUrl": { ...table, kind: "hyparquet-fetch" },
      "hyparquet, through pktio": { ...table, kind: "hyparquet-pktio" },
    };
    results[delay] = {};
    for (const [name, spec] of Object.entries(trials)) {
      const result = runTrial(spec);
      (results[delay] as Record<string, TrialResult>)[name] = result;
      if (!json) console.error(`${delay} ms  ${name}: ${result.rate.toFixed(1)}/s, ${result.requests} requests, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB`);
    }
  }
  if (json) {
    console.log(JSON.stringify({ machine, seconds, results }, null, 2));
  } else {
    console.log(`\n${machine.cpu}, ${machine.cores} cores, Linux ${machine.kernel}, Node ${machine.node}, ${machine.date}; ${seconds} s per contender, 4 KiB random reads of a 16 MiB file\n`);
    console.log("| delay | contender | reads/s | × one at a time | × fetch (same shape) | requests per 1000 reads | wire bytes per read | client CPU per read |");
    console.log("|---|---|---:|---:|---:|---:|---:|---:|");
    for (const delay of DELAYS) {
      const row = results[delay] as Record<string, TrialResult>;
      const serial = row["fetch, one at a time"] as TrialResult;
      const concurrent = row["fetch, 64 concurrent"] as TrialResult;
      const waves = row["fetch, waves of 64"] as TrialResult;
      for (const [name, result] of Object.entries(row)) {
        const unit = name.startsWith("hyparquet") ? "files/s" : "reads/s";
        const against = name.includes("waves") ? waves : name.startsWith("hyparquet") ? (row["hyparquet, asyncBufferFromUrl"] as TrialResult) : concurrent;
        const perRead = name.startsWith("hyparquet") ? `${(result.bytes / result.reads / 1024).toFixed(0)} KiB/file` : `${(result.bytes / result.reads).toFixed(0)} B`;
        const requests = name.startsWith("hyparquet") ? `${(result.requests / result.reads).toFixed(1)} per file` : (1000 * result.requests / result.reads).toFixed(0);
        console.log(`| ${delay} ms | ${name} | ${result.rate.toFixed(1)} ${unit === "files/s" ? "files/s" : ""} | ${name.startsWith("hyparquet") ? "" : (result.rate / serial.rate).toFixed(1) + "×"} | ${(result.rate / against.rate).toFixed(2)}× | ${requests} | ${perRead} | ${result.cpuUsPerRead === undefined ? "" : `${result.cpuUsPerRead.toFixed(0)} µs`} |`);
      }
    }
    const at20 = results[20] as Record<string, TrialResult>;
    const pktio = at20["pktio, 64 in flight"] as TrialResult;
    const pktioWaves = at20["pktio, waves of 64"] as TrialResult;
    const fetchWaves = at20["fetch, waves of 64"] as TrialResult;
    const serial = at20["fetch, one at a time"] as TrialResult;
    const concurrent = at20["fetch, 64 concurrent"] as TrialResult;
    console.log(`\ntargets at 20 ms: pktio ${(pktio.rate / serial.rate).toFixed(1)}× one at a time (≥ 30×); ${(pktio.rate / concurrent.rate).toFixed(2)}× 64 concurrent fetch (≥ 1.0×) with ${(pktio.requests / pktio.reads).toFixed(2)} requests per read; in waves ${(pktioWaves.rate / fetchWaves.rate).toFixed(2)}× with ${(pktioWaves.requests / pktioWaves.reads).toFixed(2)} requests per read (fetch: 1.00)`);
  }
} finally {
  server.kill("SIGTERM");
  await exited;
  rmSync(dir, { recursive: true, force: true });
}
