/** The machine a report was measured on: `uname -r`, the CPU model, cores, Node, date. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, release } from "node:os";

export interface Machine {
  readonly kernel: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly date: string;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown CPU";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // No /proc/cpuinfo: Node's answer stands.
  }
  return { kernel: release(), cpu, cores: availableParallelism(), node: process.version, date: new Date().toISOString().slice(0, 10) };
}
