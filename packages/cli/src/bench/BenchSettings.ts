/**
 * `pktio bench`'s options, checked with zod (each problem names its option), and the settings
 * one job runs with. A job is a pktio backend, one of Node's own fs styles, or fio.
 */
import { z } from "zod";
import { BackendNames } from "@pktio/core";
import { count, duration, flag, parseCommandOptions, size, text } from "../commandOptions.js";

export const RwModes = ["randread", "read", "randwrite", "write", "randrw"] as const;
export type RwMode = (typeof RwModes)[number];

/** Node's own ways to read a file: fs.promises FileHandle.read, fs.read callbacks, fs.readSync. */
export const NodeStyles = ["node-promises", "node-callbacks", "node-sync"] as const;
/** What a worker process can run. */
export const WorkerJobs = [...BackendNames, ...NodeStyles] as const;
export type WorkerJob = (typeof WorkerJobs)[number];
/** Every job `--backend all` runs, in table order. */
export const AllJobs = [...WorkerJobs, "fio"] as const;
export type Job = (typeof AllJobs)[number];

/** The ratio column's reference: what a Node user writes today. */
export const BASELINE: Job = "node-promises";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The defaults finish `pktio bench` (every backend, 3 s each) in well under a minute on 2 cores. */
export const DEFAULTS = { rw: "randread", bs: 4 * KiB, size: 256 * MiB, iodepth: 64, runtimeMs: 3000, seed: 1 } as const;

const backendList = text.transform((value, context) => {
  const names = value.split(",").map((name) => name.trim());
  const jobs: Job[] = [];
  for (const name of names) {
    if (name === "all") jobs.push(...AllJobs);
    else if ((AllJobs as readonly string[]).includes(name)) jobs.push(name as Job);
    else {
      context.addIssue({ code: "custom", message: `unknown backend ${JSON.stringify(name)}; expected all or a comma-separated list of ${AllJobs.join(", ")}` });
      return z.NEVER;
    }
  }
  return [...new Set(jobs)];
});

const BenchOptions = z
  .strictObject({
    rw: text
      .transform((value, context) => {
        if ((RwModes as readonly string[]).includes(value)) return value as RwMode;
        context.addIssue({ code: "custom", message: `expected one of ${RwModes.join(", ")} (got ${JSON.stringify(value)})` });
        return z.NEVER;
      })
      .optional(),
    bs: size(1, 64 * MiB).optional(),
    size: size(1, 2 ** 50).optional(),
    iodepth: count(1, 4096).optional(),
    runtime: duration(10, 3_600_000).optional(),
    backend: backendList.optional(),
    sync: flag,
    direct: flag,
    file: text.optional(),
    seed: count(0, 2 ** 32 - 1).optional(),
    json: flag,
    help: flag,
    /** Hidden: run one job in this process and print its result as one JSON line. */
    worker: flag,
  })
  .superRefine((options, context) => {
    const bs = options.bs ?? DEFAULTS.bs;
    if (options.size !== undefined && bs > options.size) context.addIssue({ code: "custom", path: ["bs"], message: `${bs} bytes is larger than --size (${options.size} bytes)` });
    if (options.direct && bs % 512 !== 0) context.addIssue({ code: "custom", path: ["bs"], message: `must be a multiple of 512 with --direct (got ${bs})` });
    if (bs * (options.iodepth ?? DEFAULTS.iodepth) > GiB) context.addIssue({ code: "custom", path: ["iodepth"], message: "--bs × --iodepth is more than 1 GiB of buffers" });
    if (options.worker) {
      const jobs = options.backend ?? [];
      const job = jobs[0];
      if (jobs.length !== 1 || job === undefined || !(WorkerJobs as readonly string[]).includes(job)) {
        context.addIssue({ code: "custom", path: ["backend"], message: `a worker runs exactly one of ${WorkerJobs.join(", ")}` });
      }
      if (options.file === undefined) context.addIssue({ code: "custom", path: ["file"], message: "a worker needs --file" });
    }
  });

/** Everything a job needs; the parent passes it to each worker on the command line. */
export interface JobSettings {
  readonly rw: RwMode;
  readonly bs: number;
  /** Bytes of the file the job's I/O covers, from offset 0. */
  readonly size: number;
  readonly iodepth: number;
  readonly runtimeMs: number;
  readonly sync: boolean;
  readonly direct: boolean;
  readonly file: string;
  readonly seed: number;
}

export interface BenchSettings extends Omit<JobSettings, "file" | "size"> {
  readonly jobs: readonly Job[];
  /** Undefined: a generated, seeded file. */
  readonly file: string | undefined;
  /** Undefined with --file: the file's length. */
  readonly size: number | undefined;
  readonly json: boolean;
  readonly help: boolean;
  readonly worker: boolean;
}

export function parseBenchSettings(options: Readonly<Record<string, string | true>>): BenchSettings {
  const parsed = parseCommandOptions("bench", BenchOptions, options);
  const settings: BenchSettings = {
    rw: parsed.rw ?? DEFAULTS.rw,
    bs: parsed.bs ?? DEFAULTS.bs,
    size: parsed.size ?? (parsed.file === undefined ? DEFAULTS.size : undefined),
    iodepth: parsed.iodepth ?? DEFAULTS.iodepth,
    runtimeMs: parsed.runtime ?? DEFAULTS.runtimeMs,
    jobs: parsed.backend ?? AllJobs,
    sync: parsed.sync,
    direct: parsed.direct,
    file: parsed.file,
    seed: parsed.seed ?? DEFAULTS.seed,
    json: parsed.json,
    help: parsed.help,
    worker: parsed.worker,
  };
  return settings;
}

/** True when the job writes (to a copy of the file). */
export function writes(rw: RwMode): boolean {
  return rw !== "randread" && rw !== "read";
}

/** In-flight operations a job really has: synchronous styles have one. */
export function effectiveDepth(job: Job, settings: Pick<JobSettings, "iodepth" | "sync">): number {
  return settings.sync || job === "node-sync" ? 1 : settings.iodepth;
}

/** The calls a job makes, for its notes: `read`, `write` or both, as `rw` needs. */
export function callNames(rw: RwMode, read: string, write: string): string {
  if (rw === "randread" || rw === "read") return read;
  if (rw === "randwrite" || rw === "write") return write;
  return `${read} + ${write}`;
}
