/**
 * Runs the read matrix: every trial × contender (Node's three fs styles and every pktio backend
 * that works here) in a process of its own, one after another, over one generated, seeded file
 * that is removed afterwards (also on Ctrl-C).
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { availableBackends } from "@pktio/rt";
import type { CellResult } from "./CellResult.js";
import { describeMachine, type Machine } from "./machine.js";
import { NodeContenders } from "./readers.js";
import { FILE_SIZE, trials, type Trial } from "./trials.js";

export interface MatrixResult {
  readonly machine: Machine;
  readonly timeMs: number;
  readonly trials: readonly Trial[];
  /** Columns, in order: Node's styles, then the pktio backends that work here. */
  readonly contenders: readonly string[];
  /** pktio backends that do not work here, and why. */
  readonly unavailable: readonly { readonly name: string; readonly reason: string }[];
  readonly cells: readonly CellResult[];
}

const CELL = fileURLToPath(new URL("../matrixCell.ts", import.meta.url));

function writeSeededFile(path: string): void {
  const fd = openSync(path, "w");
  try {
    const chunk = new Uint32Array(1024 * 1024);
    let x = 0x2545f491;
    for (let pos = 0; pos < FILE_SIZE; pos += chunk.byteLength) {
      for (let i = 0; i < chunk.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        chunk[i] = x >>> 0;
      }
      writeSync(fd, chunk, 0, chunk.byteLength, pos);
    }
  } finally {
    closeSync(fd);
  }
}

function runCell(trial: Trial, contender: string, file: string, timeMs: number): Promise<CellResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, CELL, trial.id, contender, file, String(timeMs)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr = (stderr + text).slice(-2000)));
    child.on("close", (code) => {
      try {
        resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as CellResult);
      } catch {
        resolve({ trial: trial.id, contender, status: "error", reason: `the cell exited with code ${code}: ${stderr.trim().split("\n").pop() ?? ""}` });
      }
    });
  });
}

export async function runMatrix(options: { timeMs: number; log: (line: string) => void; only?: readonly string[] }): Promise<MatrixResult> {
  const dir = mkdtempSync(join(tmpdir(), "pktio-matrix-"));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (): void => {
    remove();
    process.exit(130);
  };
  process.on("exit", remove);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const file = join(dir, "matrix.bin");
    writeSeededFile(file);
    const available = await availableBackends();
    const contenders = [...NodeContenders, ...available.filter((entry) => entry.ok).map((entry) => entry.name)];
    const unavailable = available.flatMap((entry) => (entry.ok ? [] : [{ name: entry.name, reason: entry.reason }]));
    const chosen = options.only === undefined ? trials : trials.filter((trial) => options.only!.includes(trial.id));
    const cells: CellResult[] = [];
    const total = chosen.length * contenders.length;
    for (const trial of chosen) {
      for (const contender of contenders) {
        const cell = await runCell(trial, contender, file, options.timeMs);
        cells.push(cell);
        const said = cell.status === "ok" ? `${(cell.readsPerSecond / 1e6).toFixed(3)}M reads/s (±${cell.rme.toFixed(1)}%)` : `${cell.status}: ${cell.reason}`;
        options.log(`[${cells.length}/${total}] ${trial.id} ${contender}: ${said}`);
      }
    }
    return { machine: describeMachine(), timeMs: options.timeMs, trials: chosen, contenders, unavailable, cells };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", remove);
    remove();
  }
}
