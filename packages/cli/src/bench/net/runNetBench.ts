/**
 * `pktio bench --net`: the loopback net trials for plain node:net / node:dgram and every pktio
 * backend that works here, each server in a fresh process of its own (the CLI again, hidden
 * `--net-server` mode) so that its CPU time is measured alone; the load comes from plain Node
 * clients in this process. Prints rate, server CPU per operation, and the ratios to node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { availableBackends } from "@pktio/rt";
import { print, type CliIo } from "../../CliIo.js";
import { describeMachine } from "../describeMachine.js";
import { Progress } from "../Progress.js";
import { selfCommand, type WorkerCommand } from "../spawnWorker.js";
import type { NetContender, NetSettings, NetTrial } from "./NetSettings.js";
import { runTrial, TRIAL_UNITS, type TrialOutcome } from "./netTrials.js";

export interface NetRow {
  readonly trial: NetTrial;
  readonly contender: NetContender;
  readonly status: "ok" | "unavailable" | "error";
  readonly reason?: string;
  /** Operations per second (MiB/s for tcp-hash). */
  readonly rate?: number;
  /** Server CPU (user + system) per operation, µs. */
  readonly cpuUsPerOp?: number;
  /** Of it, in the kernel (system time), µs. */
  readonly kernelUsPerOp?: number;
  readonly resent?: number;
  /** rate / node's rate, and operations per CPU-second / node's. */
  readonly rateRatio?: number;
  readonly perCpuRatio?: number;
}

interface Server {
  readonly port: number;
  /** Stops the server: its CPU time since it listened, µs. */
  stop(): Promise<{ cpuUs: number; systemUs: number }>;
}

async function startServer(self: WorkerCommand, trial: NetTrial, contender: NetContender, settings: NetSettings, track: (child: ChildProcess | undefined) => void): Promise<Server> {
  const args = [...self.args, "bench", `--net-server=${trial}:${contender}`, `--udp-loops=${settings.udpLoops}`, `--server-options=${JSON.stringify(settings.serverOptions)}`];
  const child = spawn(self.command, args, { stdio: ["pipe", "pipe", "pipe"] });
  track(child);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr = (stderr + text).slice(-2000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = once(child, "exit").then(() => undefined);
  const first = await lines.next();
  if (first.done === true) throw new Error(`the ${contender} server ended before listening: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
  const { port } = JSON.parse(String(first.value)) as { port: number };
  return {
    port,
    async stop() {
      child.stdin.write("stop\n");
      const last = await lines.next();
      await exited;
      track(undefined);
      const { userUs, systemUs } = JSON.parse(String(last.value)) as { userUs: number; systemUs: number };
      return { cpuUs: userUs + systemUs, systemUs };
    },
  };
}

function render(rows: readonly NetRow[], settings: NetSettings): string {
  const machine = describeMachine();
  const out = [`pktio bench --net: loopback, ${settings.rounds} rounds, ${settings.transfer} bytes verified transfer`, `${machine.cpu} × ${machine.cores}, Linux ${machine.kernel}, Node ${machine.node}, ${machine.date}`];
  for (const trial of settings.trials) {
    out.push("", `${trial} (${TRIAL_UNITS[trial]}; server CPU µs per operation, of it in the kernel; ratios to node)`);
    for (const row of rows.filter((each) => each.trial === trial)) {
      if (row.status !== "ok") {
        out.push(`  ${row.contender.padEnd(9)} ${row.status === "unavailable" ? "not available" : "ERROR"}: ${row.reason ?? "?"}`);
        continue;
      }
      const ratios = row.rateRatio === undefined ? "" : `  rate ×${row.rateRatio.toFixed(2)}  per CPU-second ×${(row.perCpuRatio ?? 0).toFixed(2)}`;
      const resent = (row.resent ?? 0) > 0 ? `  (${row.resent} resent)` : "";
      out.push(`  ${row.contender.padEnd(9)} ${(row.rate ?? 0).toFixed(0).padStart(9)} ${TRIAL_UNITS[trial]}  ${(row.cpuUsPerOp ?? 0).toFixed(1).padStart(7)} µs CPU/op (kernel ${(row.kernelUsPerOp ?? 0).toFixed(1).padStart(5)})${ratios}${resent}`);
    }
  }
  return `${out.join("\n")}\n`;
}

export async function runNetBench(settings: NetSettings, io: CliIo, self: WorkerCommand = selfCommand()): Promise<number> {
  const progress = new Progress(io.stderr);
  const available = await availableBackends();
  const rows: NetRow[] = [];
  let running: ChildProcess | undefined;
  try {
    for (const trial of settings.trials) {
      const measured: { contender: NetContender; outcome: TrialOutcome; cpuUs: number; systemUs: number }[] = [];
      for (const contender of settings.contenders) {
        const missing = available.find((entry) => entry.name === contender && !entry.ok);
        if (missing !== undefined && !missing.ok) {
          rows.push({ trial, contender, status: "unavailable", reason: missing.reason });
          continue;
        }
        const label = `${trial} ${contender}`;
        progress.start(label, 5000);
        try {
          const server = await startServer(self, trial, contender, settings, (child) => (running = child));
          const outcome = await runTrial(trial, server.port, settings).catch(async (error: unknown) => {
            await server.stop().catch(() => undefined);
            throw error;
          });
          const { cpuUs, systemUs } = await server.stop();
          measured.push({ contender, outcome, cpuUs, systemUs });
          progress.end(label, `${(outcome.operations / outcome.seconds).toFixed(0)} ${TRIAL_UNITS[trial]}`);
        } catch (error) {
          progress.end(label, `ERROR: ${String(error)}`);
          rows.push({ trial, contender, status: "error", reason: error instanceof Error ? error.message : String(error) });
        }
      }
      const node = measured.find((entry) => entry.contender === "node");
      const nodeRate = node === undefined ? undefined : node.outcome.operations / node.outcome.seconds;
      const nodePerCpu = node === undefined ? undefined : node.outcome.operations / node.cpuUs;
      for (const { contender, outcome, cpuUs, systemUs } of measured) {
        const rate = outcome.operations / outcome.seconds;
        const perCpu = outcome.operations / cpuUs;
        rows.push({
          trial,
          contender,
          status: "ok",
          rate,
          cpuUsPerOp: cpuUs / outcome.operations,
          kernelUsPerOp: systemUs / outcome.operations,
          resent: outcome.resent,
          ...(nodeRate === undefined || nodePerCpu === undefined ? {} : { rateRatio: rate / nodeRate, perCpuRatio: perCpu / nodePerCpu }),
        });
      }
    }
  } finally {
    running?.kill("SIGTERM");
  }
  const order = (row: NetRow): number => settings.trials.indexOf(row.trial) * 100 + settings.contenders.indexOf(row.contender);
  rows.sort((a, b) => order(a) - order(b));
  if (settings.json) await print(io.stdout, `${JSON.stringify({ machine: describeMachine(), settings: { trials: settings.trials, contenders: settings.contenders, rounds: settings.rounds, transfer: settings.transfer, udpLoops: settings.udpLoops, serverOptions: settings.serverOptions }, rows }, null, 2)}\n`);
  else await print(io.stdout, render(rows, settings));
  return rows.some((row) => row.status === "error") ? 1 : 0;
}
