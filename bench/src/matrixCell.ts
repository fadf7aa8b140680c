/**
 * One cell of the read matrix, in its own process: one trial on one contender. It checks every
 * read of a first round against the file's bytes before anything is timed, then lets tinybench
 * time rounds, and prints one JSON line (a CellResult). Spawned by matrix.ts.
 * Usage: tsx --conditions=pktio-source src/matrixCell.ts TRIAL CONTENDER FILE TIME_MS
 */
import { readFileSync } from "node:fs";
import { IoError, toIoError } from "@pktio/core";
import { Bench } from "tinybench";
import type { CellResult } from "./matrix/CellResult.js";
import { openReader } from "./matrix/readers.js";
import { roundOffsets, trialById } from "./matrix/trials.js";

const [trialId = "", contender = "", path = "", timeText = "500"] = process.argv.slice(2);
const trial = trialById(trialId);
const time = Number(timeText);
if (trial === undefined || path === "" || !(time > 0)) {
  console.error("usage: matrixCell.ts TRIAL CONTENDER FILE TIME_MS");
  process.exit(2);
}

/** Distinct offset sets the timed rounds cycle through, made before timing. */
const ROUND_SETS = 16;

async function runCell(): Promise<CellResult> {
  const base = { trial: trial!.id, contender };
  const expected = readFileSync(path);
  let reader;
  try {
    reader = await openReader(contender, path);
  } catch (error) {
    if (IoError.is(error, "Unsupported")) return { ...base, status: "unavailable", reason: error.message };
    throw error;
  }
  try {
    const memory = reader.shared ? new SharedArrayBuffer(trial!.inFlight * trial!.size) : new ArrayBuffer(trial!.inFlight * trial!.size);
    const buffers = Array.from({ length: trial!.inFlight }, (_, i) => new Uint8Array(memory, i * trial!.size, trial!.size));
    const rounds = Array.from({ length: ROUND_SETS }, (_, round) => roundOffsets(trial!, round, expected.length));

    // The check: each destination starts as the bitwise NOT of the right bytes.
    const first = rounds[0]!;
    for (let i = 0; i < first.length; i++) {
      const want = expected.subarray(first[i]!, first[i]! + trial!.size);
      for (let j = 0; j < want.length; j++) buffers[i]![j] = ~want[j]! & 0xff;
    }
    await reader.readRound(first, buffers);
    for (let i = 0; i < first.length; i++) {
      if (Buffer.compare(buffers[i]!, expected.subarray(first[i]!, first[i]! + trial!.size)) !== 0) {
        return { ...base, status: "error", reason: `check failed: the read at ${first[i]} returned wrong bytes` };
      }
    }

    let round = 1;
    // A 1-byte round through fs.promises takes a third of a second here: tinybench's default
    // minimum of 64 timed (and 16 warm-up) rounds would take half a minute per cell.
    const bench = new Bench({ time, iterations: 5, warmupTime: Math.min(200, time), warmupIterations: 2 });
    bench.add(`${trial!.id} ${contender}`, () => reader.readRound(rounds[round++ % ROUND_SETS]!, buffers));
    await bench.run();
    const result = bench.tasks[0]?.result;
    if (result === undefined || result.state !== "completed") {
      const why = result?.state === "errored" ? String(result.error) : `tinybench state ${result?.state ?? "none"}`;
      return { ...base, status: "error", reason: why };
    }
    return {
      ...base,
      status: "ok",
      // The median round: a garbage collection in one round of 16384 promises is not the rate.
      readsPerSecond: (trial!.inFlight / result.latency.p50) * 1000,
      roundMs: result.latency.p50,
      rme: result.latency.rme,
      rounds: result.latency.samplesCount,
      checked: first.length,
    };
  } finally {
    await reader.close();
  }
}

let result: CellResult;
try {
  result = await runCell();
} catch (error) {
  const failure = toIoError(error);
  result = { trial: trial.id, contender, status: "error", reason: `${failure.kind}: ${failure.message}` };
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exitCode = result.status === "error" ? 1 : 0;
