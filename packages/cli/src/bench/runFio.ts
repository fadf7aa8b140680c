/**
 * The fio row: the same job run by fio (io_uring engine at the same depth, or psync with
 * `--sync`), parsed from `--output-format=json`. Page-cache settings match the pktio jobs:
 * `invalidate=0` keeps the cached file (fio drops it by default) and `norandommap` draws random
 * offsets with replacement, as the workers do. fio checks nothing it reads, so the row has no
 * `verified`. When fio is missing or fails, the row says so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { z } from "zod";
import type { JobSettings } from "./BenchSettings.js";
import { findOnPath } from "./findOnPath.js";
import { noNumbers, PROTOCOL, type JobResult } from "./JobResult.js";

const Side = z.object({
  total_ios: z.number(),
  iops: z.number(),
  bw_bytes: z.number(),
  lat_ns: z.object({ mean: z.number(), max: z.number(), percentile: z.record(z.string(), z.number()).optional() }),
  clat_ns: z.object({ percentile: z.record(z.string(), z.number()).optional() }).optional(),
});
type Side = z.infer<typeof Side>;

const FioOutput = z.object({
  "fio version": z.string().optional(),
  jobs: z
    .array(
      z.object({
        error: z.number(),
        job_runtime: z.number(),
        usr_cpu: z.number(),
        sys_cpu: z.number(),
        read: Side.optional(),
        write: Side.optional(),
        mixed: Side.optional(),
      }),
    )
    .min(1),
});

/** The name fio is given for the file, relative to its working directory (see runFio). */
export const FIO_TARGET = "target";

/**
 * fio's arguments for the job. The file is never named by its path: fio splits a filename on
 * `:` (several files) and its option parser cuts a value at ` #`, so runFio gives it a plain
 * name of its own, FIO_TARGET, a symlink to the file in fio's working directory.
 */
export function fioArgs(settings: JobSettings): string[] {
  return [
    "--name=pktio-bench",
    `--filename=${FIO_TARGET}`,
    `--rw=${settings.rw}`,
    `--bs=${settings.bs}`,
    `--size=${settings.size}`,
    `--ioengine=${settings.sync ? "psync" : "io_uring"}`,
    `--iodepth=${settings.sync ? 1 : settings.iodepth}`,
    `--direct=${settings.direct ? 1 : 0}`,
    `--runtime=${settings.runtimeMs}ms`,
    "--time_based",
    "--invalidate=0",
    "--norandommap",
    "--lat_percentiles=1",
    // For randrw: read and write separately, and both together ("mixed") for the row.
    ...(settings.rw === "randrw" ? ["--unified_rw_reporting=both"] : []),
    "--output-format=json",
  ];
}

export async function runFio(settings: JobSettings, track: (child: ChildProcess | undefined) => void): Promise<JobResult> {
  const depth = settings.sync ? 1 : settings.iodepth;
  const fio = findOnPath("fio");
  if (fio === undefined) return noNumbers("fio", depth, "unavailable", "fio is not installed (not found on PATH)");
  // fio reads the file through a symlink with a plain name in a directory of its own, its
  // working directory: `--file a:b.bin` made it measure (and lay out, writing) ./a and ./b.bin.
  const place = mkdtempSync(join(tmpdir(), "pktio-fio-"));
  symlinkSync(resolvePath(settings.file), join(place, FIO_TARGET));
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(fio, fioArgs(settings), { cwd: place, stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (out += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (err = (err + text).slice(-4000)));
    child.on("error", (error) => resolve({ code: -1, stdout: "", stderr: error.message }));
    child.on("close", (exit) => {
      track(undefined);
      resolve({ code: exit, stdout: out, stderr: err });
    });
  }).finally(() => rmSync(place, { recursive: true, force: true }));
  const failed = (why: string): JobResult => noNumbers("fio", depth, "unavailable", `fio failed: ${why}`);
  // fio may print notes before its JSON document.
  const start = stdout.indexOf("{");
  let parsed: z.infer<typeof FioOutput>;
  try {
    const result = FioOutput.safeParse(JSON.parse(stdout.slice(Math.max(0, start))));
    if (!result.success) return failed(`unexpected JSON (${result.error.issues[0]?.message ?? "?"}); ${stderr.trim()}`);
    parsed = result.data;
  } catch {
    return failed(`exit code ${code}: ${stderr.trim().split("\n").slice(-2).join(" | ") || "no output"}`);
  }
  const job = parsed.jobs[0]!;
  if (job.error !== 0) return failed(`error ${job.error}: ${stderr.trim()}`);
  const sides = settings.rw === "randrw" ? [job.mixed] : [job.read, job.write];
  const side = sides.find((candidate): candidate is Side => candidate !== undefined && candidate.total_ios > 0);
  if (side === undefined) return failed("no I/O was reported");
  const seconds = job.job_runtime / 1000;
  const percentile = (key: string): number => (side.lat_ns.percentile?.[key] ?? side.clat_ns?.percentile?.[key] ?? Number.NaN) / 1000;
  const reads = job.read?.total_ios ?? 0;
  const writes = job.write?.total_ios ?? 0;
  return {
    protocol: PROTOCOL,
    job: "fio",
    status: "ok",
    detail: `fio ${parsed["fio version"]?.replace(/^fio-/, "") ?? "?"}, ${settings.sync ? "psync" : "io_uring"} engine`,
    iodepth: depth,
    stats: {
      ops: side.total_ios,
      reads,
      writes,
      seconds,
      iops: side.iops,
      mibPerSec: side.bw_bytes / 2 ** 20,
      latencyUs: { p50: percentile("50.000000"), p99: percentile("99.000000"), mean: side.lat_ns.mean / 1000, max: side.lat_ns.max / 1000 },
      // fio reports CPU as percentages of its runtime.
      cpuMs: { user: (job.usr_cpu / 100) * job.job_runtime, system: (job.sys_cpu / 100) * job.job_runtime },
    },
  };
}
