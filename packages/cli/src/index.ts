/**
 * @pktio/cli: the `pktio` command (bench, cat, cp, stat) and the pieces a script may reuse:
 * `runCli` with its own streams, the size and duration parsers, the bench's result types, and
 * the net trials of `pktio bench --net` (their servers and clients, for bench/ to share).
 */
export { runCli, usage } from "./runCli.js";
export type { CliIo } from "./CliIo.js";
export { UsageError } from "./UsageError.js";
export { formatBytes, parseDuration, parseSize } from "./units.js";
export { AllJobs, DEFAULTS, NodeStyles, RwModes, WorkerJobs, type Job, type JobSettings, type RwMode, type WorkerJob } from "./bench/BenchSettings.js";
export { JobResult, JobStats, PROTOCOL } from "./bench/JobResult.js";
export { LatencyHistogram } from "./bench/LatencyHistogram.js";
export { describeMachine, type Machine } from "./bench/describeMachine.js";
export { NetContenders, NetTrials, parseNetSettings, type NetContender, type NetServerSettings, type NetSettings, type NetTrial } from "./bench/net/NetSettings.js";
export { runNetServer } from "./bench/net/netServer.js";
export { runNetBench, type NetRow } from "./bench/net/runNetBench.js";
export { selfCommand, type WorkerCommand } from "./bench/spawnWorker.js";
export { runTrial, type TrialOutcome } from "./bench/net/netTrials.js";
