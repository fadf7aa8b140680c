/**
 * One job, in this process: opens the engine, checks a sample of operations against the file's
 * bytes (read through a separate plain fd) before anything is timed, then runs for the runtime
 * and measures. A wrong byte or a short transfer is an error, never a number.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { IoError, toIoError } from "@pktio/core";
import { effectiveDepth, type JobSettings, type RwMode, type WorkerJob } from "./BenchSettings.js";
import { driveAsync, driveSync, type Plan } from "./driveEngine.js";
import type { Engine } from "./Engine.js";
import { noNumbers, PROTOCOL, type JobResult, type JobStats } from "./JobResult.js";
import { LatencyHistogram } from "./LatencyHistogram.js";
import { openEngine } from "./openEngine.js";
import { positionSource, sampleOffsets, writeSource } from "./positions.js";

/** At most this many operations, and this many bytes, are checked per direction. */
const SAMPLE_OPS = 256;
const SAMPLE_BYTES = 256 * 1024 * 1024;

/** A job's settings as a worker gets them: without --size, the job covers the whole file. */
export type WorkerSettings = Omit<JobSettings, "size"> & { readonly size: number | undefined };

/** `open` is the engine factory; tests pass one that misbehaves on purpose. */
export async function runJob(job: WorkerJob, given: WorkerSettings, open: typeof openEngine = openEngine): Promise<JobResult> {
  const depth = effectiveDepth(job, given);
  let reference: number;
  try {
    reference = openSync(given.file, "r");
  } catch (error) {
    throw toIoError(error, { op: "bench", path: given.file });
  }
  try {
    const length = fstatSync(reference).size;
    const settings: JobSettings = { ...given, size: given.size ?? length };
    if (length < settings.size || settings.size < settings.bs) {
      throw new IoError("InvalidInput", `${JSON.stringify(settings.file)} has ${length} bytes; the job needs ${Math.max(settings.size, settings.bs)}`, { op: "bench", path: settings.file });
    }
    let engine: Engine;
    try {
      engine = await open(job, settings);
    } catch (thrown) {
      const error = toIoError(thrown);
      if (error.kind === "Unsupported") return noNumbers(job, depth, "unavailable", error.message);
      if (settings.direct && error.code === "EINVAL") return noNumbers(job, depth, "unavailable", `O_DIRECT is refused here: ${error.message}`);
      throw error;
    }
    try {
      const verified = await verify(job, engine, settings, reference);
      const stats = await measure(engine, settings);
      return { protocol: PROTOCOL, job, status: "ok", detail: engine.detail, iodepth: depth, verified, stats };
    } finally {
      await engine.close();
    }
  } finally {
    closeSync(reference);
  }
}

function run(engine: Engine, plan: Plan): Promise<void> {
  if (engine.mode === "async") return driveAsync(engine, plan);
  driveSync(engine, plan);
  return Promise.resolve();
}

function readFully(fd: number, bytes: Uint8Array, pos: number): void {
  for (let done = 0; done < bytes.length; ) {
    const got = readSync(fd, bytes, done, bytes.length - done, pos + done);
    if (got === 0) throw new IoError("UnexpectedEof", `the file ended at ${pos + done} while checking`, { op: "bench" });
    done += got;
  }
}

/** Checks reads (and writes, for write jobs) on distinct blocks; returns how many of each. */
async function verify(job: WorkerJob, engine: Engine, settings: JobSettings, reference: number): Promise<{ reads: number; writes: number }> {
  const blocks = Math.floor(settings.size / settings.bs);
  const count = Math.max(1, Math.min(SAMPLE_OPS, Math.floor(SAMPLE_BYTES / settings.bs)));
  const verified = { reads: 0, writes: 0 };
  const directions: ("read" | "write")[] = modeDirections(settings.rw);
  for (const direction of directions) {
    const offsets = sampleOffsets(count, blocks, settings.bs, settings.seed + (direction === "read" ? 1 : 2));
    await run(engine, checkingPlan(job, engine, settings.bs, reference, offsets, direction === "write"));
    verified[direction === "read" ? "reads" : "writes"] = offsets.length;
  }
  return verified;
}

function modeDirections(rw: RwMode): ("read" | "write")[] {
  if (rw === "randread" || rw === "read") return ["read"];
  if (rw === "randwrite" || rw === "write") return ["write"];
  return ["read", "write"];
}

/**
 * Before each operation the slot's buffer is filled with the bitwise NOT of the file's bytes
 * there, so every byte a read leaves alone, or a write writes, differs from what it should be.
 */
function checkingPlan(job: WorkerJob, engine: Engine, bs: number, reference: number, offsets: number[], write: boolean): Plan {
  const slots = engine.buffers.length;
  const expected = Array.from({ length: slots }, () => new Uint8Array(bs));
  const actual = new Uint8Array(bs);
  let next = 0;
  const plan: Plan = {
    pos: new Float64Array(slots),
    write: new Uint8Array(slots).fill(write ? 1 : 0),
    next(slot) {
      const pos = offsets[next++];
      if (pos === undefined) return false;
      plan.pos[slot] = pos;
      const want = expected[slot]!;
      const buffer = engine.buffers[slot]!;
      readFully(reference, want, pos);
      for (let i = 0; i < bs; i++) buffer[i] = ~want[i]! & 0xff;
      // A write must leave the flipped bytes in the file.
      if (write) want.set(buffer);
      return true;
    },
    done(slot, transferred, error) {
      const pos = plan.pos[slot]!;
      if (error !== undefined) return toIoError(error, { op: write ? "write" : "read" });
      if (transferred !== bs) return new IoError("Other", `${job}: short ${write ? "write" : "read"} of ${transferred} of ${bs} bytes at offset ${pos}`, { op: "bench" });
      let got = engine.buffers[slot]!;
      if (write) {
        readFully(reference, actual, pos);
        got = actual;
      }
      const want = expected[slot]!;
      for (let i = 0; i < bs; i++) {
        if (got[i] !== want[i]) {
          const hex = (byte: number | undefined): string => `0x${(byte ?? 0).toString(16).padStart(2, "0")}`;
          const what = write ? "the file holds wrong bytes after a write" : "a read returned wrong bytes";
          return new IoError("Other", `verification failed on ${job}: ${what} at offset ${pos + i} (expected ${hex(want[i])}, got ${hex(got[i])})`, { op: "bench" });
        }
      }
      return undefined;
    },
  };
  return plan;
}

/** The timed run. */
async function measure(engine: Engine, settings: JobSettings): Promise<JobStats> {
  const { bs } = settings;
  const slots = engine.buffers.length;
  const nextPos = positionSource(settings.rw, Math.floor(settings.size / bs), bs, settings.seed);
  const nextWrite = writeSource(settings.rw, settings.seed);
  const histogram = new LatencyHistogram();
  const started = new Float64Array(slots);
  let reads = 0;
  let writes = 0;
  let deadline = Infinity;
  let last = 0;
  const plan: Plan = {
    pos: new Float64Array(slots),
    write: new Uint8Array(slots),
    next(slot, now) {
      if (now >= deadline) return false;
      plan.pos[slot] = nextPos();
      plan.write[slot] = nextWrite() ? 1 : 0;
      started[slot] = now;
      return true;
    },
    done(slot, transferred, error, now) {
      if (error !== undefined) return toIoError(error, { op: plan.write[slot] === 1 ? "write" : "read" });
      if (transferred !== bs) return new IoError("Other", `short ${plan.write[slot] === 1 ? "write" : "read"} of ${transferred} of ${bs} bytes at offset ${plan.pos[slot]}`, { op: "bench" });
      histogram.record((now - started[slot]!) * 1e6);
      if (plan.write[slot] === 1) writes++;
      else reads++;
      last = now;
      return undefined;
    },
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  deadline = start + settings.runtimeMs;
  await run(engine, plan);
  const used = process.cpuUsage(cpu);
  const seconds = (last - start) / 1000;
  const ops = reads + writes;
  return {
    ops,
    reads,
    writes,
    seconds,
    iops: ops / seconds,
    mibPerSec: (ops * bs) / seconds / 2 ** 20,
    latencyUs: {
      p50: histogram.percentile(0.5) / 1000,
      p99: histogram.percentile(0.99) / 1000,
      mean: histogram.mean / 1000,
      max: histogram.max / 1000,
    },
    cpuMs: { user: used.user / 1000, system: used.system / 1000 },
  };
}
