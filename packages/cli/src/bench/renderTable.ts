/**
 * The bench's table: one row per job with IOPS, MiB/s, p50/p99 latency, the CPU time of the
 * job's process, and its IOPS as a multiple of node-promises' (what a Node user writes today).
 * Jobs without numbers say why in the last column.
 */
import { formatBytes, formatCount, formatDuration, formatLatency } from "../units.js";
import { BASELINE, type BenchSettings } from "./BenchSettings.js";
import type { Machine } from "./describeMachine.js";
import type { JobResult } from "./JobResult.js";

/** What the run was, in one line: `randread, 4 KiB blocks, 256 MiB file, iodepth 64, 3 s each`. */
export function describeRun(settings: Pick<BenchSettings, "rw" | "bs" | "iodepth" | "runtimeMs" | "sync" | "direct">, size: number, file: string): string {
  const parts = [
    settings.rw,
    `${formatBytes(settings.bs)} blocks`,
    `${formatBytes(size)} of ${file}`,
    settings.sync ? "sync (iodepth 1)" : `iodepth ${settings.iodepth}`,
    `${formatDuration(settings.runtimeMs)} per job`,
    settings.direct ? "O_DIRECT" : "page cache",
  ];
  return parts.join(", ");
}

export function renderTable(results: readonly JobResult[], header: { run: string; machine: Machine }): string {
  const baseline = results.find((result) => result.job === BASELINE && result.stats !== undefined)?.stats?.iops;
  const head = ["job", "qd", "IOPS", "MiB/s", "p50", "p99", "CPU", "CPU/wall", `× ${BASELINE}`, "checked", "notes"];
  const rows = results.map((result) => {
    const stats = result.stats;
    if (stats === undefined) {
      const why = result.status === "unavailable" ? `not available: ${result.reason ?? "?"}` : `ERROR${result.errorKind === undefined ? "" : ` ${result.errorKind}`}: ${result.reason ?? "?"}`;
      return [result.job, String(result.iodepth), "—", "—", "—", "—", "—", "—", "—", "—", why];
    }
    const cpuMs = stats.cpuMs.user + stats.cpuMs.system;
    const checked = result.verified === undefined ? "—" : [result.verified.reads > 0 ? `${result.verified.reads} r` : "", result.verified.writes > 0 ? `${result.verified.writes} w` : ""].filter(Boolean).join(" + ");
    return [
      result.job,
      String(result.iodepth),
      formatCount(stats.iops),
      stats.mibPerSec.toFixed(1),
      formatLatency(stats.latencyUs.p50),
      formatLatency(stats.latencyUs.p99),
      `${(cpuMs / 1000).toFixed(2)} s`,
      `${Math.round((cpuMs / 1000 / stats.seconds) * 100)}%`,
      baseline === undefined ? "—" : `${(stats.iops / baseline).toFixed(2)}×`,
      checked,
      result.detail ?? "",
    ];
  });
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => (column === head.length - 1 ? 0 : row[column]!.length))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join("  ")
      .trimEnd();
  const { machine } = header;
  return [
    `pktio bench: ${header.run}`,
    `machine: Linux ${machine.kernel}, ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, ${machine.date}`,
    "",
    line(head),
    ...rows.map(line),
    "",
    "Each job ran in its own process and checked a sample of its I/O against the file's bytes",
    "before timing (checked: r reads, w writes; fio checks nothing). CPU: user + system time of",
    "the job's process (all its threads) during the timed run; CPU/wall: that over the run's",
    "wall time (100% = one core busy).",
    "",
  ].join("\n");
}
