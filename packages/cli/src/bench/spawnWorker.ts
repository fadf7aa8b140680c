/**
 * Runs one job in a fresh child process: the CLI itself in its hidden `--worker` mode, started
 * with the same Node flags (so a run from sources under tsx spawns tsx workers), and reads the
 * one JSON line it prints. A fresh process per job means no job inherits another's JIT state,
 * heap, threads or rings, and its CPU time is its own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { effectiveDepth, type JobSettings, type WorkerJob } from "./BenchSettings.js";
import { JobResult, noNumbers } from "./JobResult.js";

/** How to start the CLI again: this Node, its flags, and the script it runs. */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export function selfCommand(): WorkerCommand {
  const script = process.argv[1];
  if (script === undefined) throw new Error("cannot find the pktio script to spawn workers from (process.argv[1] is empty)");
  return { command: process.execPath, args: [...process.execArgv, script] };
}

/** The worker's command line for `job`. */
export function workerArgs(job: WorkerJob, settings: JobSettings): string[] {
  return [
    "bench",
    "--worker",
    `--backend=${job}`,
    `--rw=${settings.rw}`,
    `--bs=${settings.bs}`,
    `--size=${settings.size}`,
    `--iodepth=${settings.iodepth}`,
    `--runtime=${settings.runtimeMs}ms`,
    `--seed=${settings.seed}`,
    `--file=${settings.file}`,
    ...(settings.sync ? ["--sync"] : []),
    ...(settings.direct ? ["--direct"] : []),
  ];
}

/** Slack for process start, verification and draining on top of the runtime. */
const GRACE_MS = 120_000;

export function spawnWorker(job: WorkerJob, settings: JobSettings, self: WorkerCommand, track: (child: ChildProcess | undefined) => void): Promise<JobResult> {
  const depth = effectiveDepth(job, settings);
  return new Promise((resolve) => {
    const child = spawn(self.command, [...self.args, ...workerArgs(job, settings)], { stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr = (stderr + text).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), settings.runtimeMs + GRACE_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      track(undefined);
      resolve(noNumbers(job, depth, "error", `could not start a worker: ${error.message}`, "Other"));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      track(undefined);
      const line = stdout.trimEnd().split("\n").pop() ?? "";
      let parsed: JobResult | undefined;
      try {
        const result = JobResult.safeParse(JSON.parse(line));
        if (result.success && result.data.job === job) parsed = result.data;
      } catch {
        // Not JSON: reported below with the worker's stderr.
      }
      if (parsed !== undefined) return resolve(parsed);
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      const said = stderr.trim().split("\n").slice(-3).join(" | ");
      resolve(noNumbers(job, depth, "error", `the worker ended with ${how} without a result${said === "" ? "" : `: ${said}`}`, "Other"));
    });
  });
}
