/**
 * `pktio bench` proper: prepares the file (a generated, seeded one in a scratch directory unless
 * --file is given; a copy for write jobs), runs each job in a fresh worker process (fio as
 * itself), and prints the table or the JSON document. Exit code 1 when any job failed.
 */
import type { ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { BackendNames, IoError, toIoError } from "@pktio/core";
import { availableBackends, type Availability } from "@pktio/rt";
import { print, type CliIo } from "../CliIo.js";
import { formatBytes, formatCount, formatLatency } from "../units.js";
import { UsageError } from "../UsageError.js";
import { effectiveDepth, writes, type BenchSettings, type Job, type JobSettings, type WorkerJob } from "./BenchSettings.js";
import { describeMachine } from "./describeMachine.js";
import { noNumbers, PROTOCOL, type JobResult } from "./JobResult.js";
import { Progress } from "./Progress.js";
import { describeRun, renderTable } from "./renderTable.js";
import { runFio } from "./runFio.js";
import { Scratch } from "./Scratch.js";
import { copyRegion, writeSeededFile } from "./seededFile.js";
import { selfCommand, spawnWorker, type WorkerCommand } from "./spawnWorker.js";

const isBackend = (job: Job): boolean => (BackendNames as readonly string[]).includes(job);

/** The region of --file the jobs cover: --size, or the whole file. */
function fileRegion(settings: BenchSettings, path: string): number {
  let length: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new IoError("InvalidInput", `${JSON.stringify(path)} is not a regular file`, { op: "bench", path });
    length = stat.size;
  } catch (error) {
    throw toIoError(error, { op: "bench", path });
  }
  const size = settings.size ?? length;
  if (size > length) throw new UsageError(`--size: ${size} bytes is more than the ${length} bytes of ${path}`, "bench");
  if (size < settings.bs) throw new UsageError(`--bs: ${settings.bs} bytes is more than the ${size} bytes the jobs cover`, "bench");
  return size;
}

function summary(result: JobResult): string {
  if (result.stats !== undefined) return `${formatCount(result.stats.iops)} IOPS, p99 ${formatLatency(result.stats.latencyUs.p99)}`;
  return result.status === "unavailable" ? `not available: ${result.reason ?? "?"}` : `ERROR: ${result.reason ?? "?"}`;
}

export async function runBench(settings: BenchSettings, io: CliIo, self: WorkerCommand = selfCommand()): Promise<number> {
  const progress = new Progress(io.stderr);
  const size = settings.file === undefined ? (settings.size as number) : fileRegion(settings, settings.file);
  // Always made: it also owns the signal handlers that stop the running child on Ctrl-C.
  const scratch = new Scratch();
  // The child running now (a worker or fio): stopped if this run ends early.
  let running: ChildProcess | undefined;
  const track = (child: ChildProcess | undefined): void => {
    running = child;
    scratch.child = child;
  };
  try {
    let source = settings.file;
    if (source === undefined) {
      source = join(scratch.path, "data.bin");
      progress.note(`generating a ${formatBytes(size)} file (seed ${settings.seed}) in ${scratch.path}`);
      writeSeededFile(source, size, settings.seed);
    }
    let target = source;
    if (writes(settings.rw)) {
      target = join(scratch.path, "write-copy.bin");
      progress.note(`write jobs write to a copy: ${target}`);
      copyRegion(source, target, size);
    }
    const job: JobSettings = { ...settings, size, file: target };
    const available: Availability[] = settings.jobs.some(isBackend) ? await availableBackends() : [];
    const results: JobResult[] = [];
    for (const [index, name] of settings.jobs.entries()) {
      const label = `[${index + 1}/${settings.jobs.length}] ${name}`;
      const depth = effectiveDepth(name, settings);
      const unavailable = available.find((entry) => entry.name === name && !entry.ok);
      let result: JobResult;
      if (unavailable !== undefined && !unavailable.ok) {
        result = noNumbers(name, depth, "unavailable", unavailable.reason);
      } else {
        progress.start(label, settings.runtimeMs + (name === "fio" ? 500 : 1500));
        result = name === "fio" ? await runFio(job, track) : await spawnWorker(name as WorkerJob, job, self, track);
      }
      progress.end(label, summary(result));
      results.push(result);
    }
    const machine = describeMachine();
    const fileLabel = settings.file === undefined ? `a generated file (seed ${settings.seed})` : settings.file;
    if (settings.json) {
      const document = {
        protocol: PROTOCOL,
        machine,
        settings: { rw: settings.rw, bs: settings.bs, size, iodepth: settings.iodepth, runtimeMs: settings.runtimeMs, sync: settings.sync, direct: settings.direct, file: settings.file ?? null, seed: settings.seed },
        results,
      };
      await print(io.stdout, JSON.stringify(document, null, 2) + "\n");
    } else {
      await print(io.stdout, renderTable(results, { run: describeRun(settings, size, fileLabel), machine }));
    }
    return results.some((result) => result.status === "error") ? 1 : 0;
  } finally {
    running?.kill("SIGTERM");
    scratch.dispose();
  }
}
