/** The engine of a worker job: a pktio backend through @pktio/rt, or one of Node's fs styles. */
import { BackendNames, type BackendName } from "@pktio/core";
import type { JobSettings, WorkerJob } from "./BenchSettings.js";
import type { Engine } from "./Engine.js";
import { openNodeEngine } from "./NodeEngine.js";
import { openPktioEngine } from "./PktioEngine.js";

export function openEngine(job: WorkerJob, settings: JobSettings): Promise<Engine> {
  if ((BackendNames as readonly string[]).includes(job)) return openPktioEngine(job as BackendName, settings);
  return openNodeEngine(job as Exclude<WorkerJob, BackendName>, settings);
}
