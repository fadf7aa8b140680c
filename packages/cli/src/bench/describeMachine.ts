/** The machine a bench ran on, for the table's header and the JSON: kernel, CPU, Node, date. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, release } from "node:os";

export interface Machine {
  /** `uname -r`. */
  readonly kernel: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  /** ISO date (UTC) of the run. */
  readonly date: string;
}

export function describeMachine(now: Date = new Date()): Machine {
  return { kernel: release(), cpu: cpuModel(), cores: availableParallelism(), node: process.version, date: now.toISOString().slice(0, 10) };
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match?.[1] !== undefined) return match[1].trim();
  } catch {
    // Not Linux, or no /proc: Node's own answer below.
  }
  return cpus()[0]?.model ?? "unknown CPU";
}
