/**
 * @pktio/cli: the `pktio` command (bench, cat, cp, stat) and the pieces a script may reuse:
 * `runCli` with its own streams, the size and duration parsers, and the bench's result types.
 */
export { runCli, usage } from "./runCli.js";
export type { CliIo } from "./CliIo.js";
export { UsageError } from "./UsageError.js";
export { formatBytes, parseDuration, parseSize } from "./units.js";
export { AllJobs, DEFAULTS, NodeStyles, RwModes, WorkerJobs, type Job, type JobSettings, type RwMode, type WorkerJob } from "./bench/BenchSettings.js";
export { JobResult, JobStats, PROTOCOL } from "./bench/JobResult.js";
export { LatencyHistogram } from "./bench/LatencyHistogram.js";
export { describeMachine, type Machine } from "./bench/describeMachine.js";
