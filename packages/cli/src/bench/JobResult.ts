/**
 * One row of `pktio bench`: what a job measured, or why it has no numbers. A worker prints one
 * as a single JSON line (protocol `pktio-bench/1`); the parent checks it with this schema, so a
 * worker that printed anything else is reported as an error, not misread.
 */
import { z } from "zod";

export const PROTOCOL = "pktio-bench/1";

export const JobStats = z.strictObject({
  /** Operations completed in the timed run, and how many of them were reads and writes. */
  ops: z.number(),
  reads: z.number(),
  writes: z.number(),
  /** Wall time of the timed run, from the first submission to the last completion. */
  seconds: z.number(),
  iops: z.number(),
  mibPerSec: z.number(),
  /** Submission to completion, per operation. */
  latencyUs: z.strictObject({ p50: z.number(), p99: z.number(), mean: z.number(), max: z.number() }),
  /** CPU time of the whole process (every thread) during the timed run: process.cpuUsage. */
  cpuMs: z.strictObject({ user: z.number(), system: z.number() }),
});
export type JobStats = z.infer<typeof JobStats>;

export const JobResult = z.strictObject({
  protocol: z.literal(PROTOCOL),
  job: z.string(),
  status: z.enum(["ok", "unavailable", "error"]),
  /** Why there are no numbers (unavailable, error). */
  reason: z.string().optional(),
  /** The IoError kind of an error. */
  errorKind: z.string().optional(),
  /** How the job did its I/O ("sendPacket, registered buffers", "io_uring engine"). */
  detail: z.string().optional(),
  /** Operations in flight the job really had. */
  iodepth: z.number(),
  /** Operations checked against the file's bytes before timing (absent for fio). */
  verified: z.strictObject({ reads: z.number(), writes: z.number() }).optional(),
  stats: JobStats.optional(),
});
export type JobResult = z.infer<typeof JobResult>;

/** A row without numbers. */
export function noNumbers(job: string, iodepth: number, status: "unavailable" | "error", reason: string, errorKind?: string): JobResult {
  return { protocol: PROTOCOL, job, status, reason, iodepth, ...(errorKind === undefined ? {} : { errorKind }) };
}
