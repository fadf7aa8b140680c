/**
 * `pktio bench --worker`: runs one job in this process and prints its JobResult as exactly one
 * JSON line on stdout (nothing else goes there). Exit code 0 when the job has numbers or is
 * unavailable here, 1 when it failed (the line then says why).
 */
import { toIoError } from "@pktio/core";
import { print, type CliIo } from "../CliIo.js";
import { effectiveDepth, type WorkerJob } from "./BenchSettings.js";
import { noNumbers, type JobResult } from "./JobResult.js";
import { runJob, type WorkerSettings } from "./runJob.js";

export async function runWorker(job: WorkerJob, settings: WorkerSettings, io: CliIo): Promise<number> {
  let result: JobResult;
  try {
    result = await runJob(job, settings);
  } catch (thrown) {
    const error = toIoError(thrown);
    result = noNumbers(job, effectiveDepth(job, settings), "error", error.message, error.kind);
  }
  await print(io.stdout, JSON.stringify(result) + "\n");
  return result.status === "error" ? 1 : 0;
}
