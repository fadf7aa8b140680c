/** `pktio bench`: options, help, and the hidden worker mode; the run itself is runBench. */
import type { CliIo } from "../CliIo.js";
import { parseArgv } from "../parseArgv.js";
import { UsageError } from "../UsageError.js";
import { AllJobs, DEFAULTS, parseBenchSettings, RwModes, type WorkerJob } from "../bench/BenchSettings.js";
import { runBench } from "../bench/runBench.js";
import { runWorker } from "../bench/runWorker.js";
import { NET_DEFAULTS, NetContenders, NetTrials, parseNetSettings, parseServerSettings } from "../bench/net/NetSettings.js";
import { runNetServer } from "../bench/net/netServer.js";
import { runNetBench } from "../bench/net/runNetBench.js";

export const benchHelp = `Usage: pktio bench [options]

A fio-like benchmark: every backend (--backend all, the default) runs the same job in a fresh
process, after checking a sample of its I/O against the file's bytes. The table shows IOPS,
MiB/s, p50/p99 latency, CPU time and the ratio to node-promises (fs.promises FileHandle.read).

Options:
  --rw MODE        ${RwModes.join("|")} (default ${DEFAULTS.rw})
  --bs SIZE        block size: 512, 4k, 1m … (default 4k)
  --size SIZE      bytes the jobs cover; the generated file's length (default 256m;
                   with --file, the file's length)
  --iodepth N      operations in flight (default ${DEFAULTS.iodepth}; 1 for sync styles)
  --runtime TIME   timed run per job: 300ms, 3s, 1m; a bare number is seconds, as in fio (default 3s)
  --backend LIST   all, or a comma-separated list of
                   ${AllJobs.join(", ")}
                   (node-promises: fs.promises FileHandle.read, node-callbacks: fs.read,
                   node-sync: fs.readSync; fio only when it is on PATH)
  --sync           use the *Sync helpers (readAtSync …), iodepth 1; fio uses psync
  --direct         O_DIRECT (bypass the page cache; --bs a multiple of 512)
  --file PATH      measure this file (writes go to a copy in a temp directory);
                   default: a generated, seeded file in a temp directory, removed after
  --seed N         seed of the generated file and of the random offsets (default 1)
  --json           print one JSON document instead of the table
  --help           this text

Progress goes to stderr; the table (or JSON) to stdout. Exit code 1 if a job failed, for
example because a check found a wrong byte; 2 for bad options.

Usage: pktio bench --net [options]

Loopback network trials, each server in a fresh process (its CPU time measured alone) and plain
Node clients here: tcp-echo (64 connections × 1 KiB requests, each echo checked), udp-echo
(16 clients ping-ponging 64-byte datagrams) and tcp-hash (a transfer whose SHA-256 the server
sends back, checked). The table shows the rate, server CPU per operation and the ratios to
node (node:net / node:dgram): rate, and operations per CPU-second.

Options:
  --trials LIST    comma-separated ${NetTrials.join(", ")} (default all)
  --backend LIST   comma-separated ${NetContenders.join(", ")} (default all;
                   backends that cannot work here say why)
  --rounds N       requests per TCP connection; UDP clients make 4 × N (default ${NET_DEFAULTS.rounds})
  --transfer SIZE  bytes of the verified TCP transfer: 1m … (default 64m)
  --udp-loops N    receive loops the pktio udp-echo server runs on its socket (default ${NET_DEFAULTS.udpLoops})
  --server-options JSON
                   backend options for the pktio servers, keyed by backend:
                   '{"uring":{"directSends":false}}' (default none)
  --json           print one JSON document instead of the table
`;

const VALUED = new Set(["rw", "bs", "size", "iodepth", "runtime", "backend", "file", "seed", "trials", "rounds", "transfer", "udp-loops", "server-options", "net-server"]);

export async function bench(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgv("bench", argv, VALUED);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (a file is given with --file PATH)`, "bench");
  // Hidden: one net trial's server, started by --net in a process of its own.
  if (options["net-server"] !== undefined) {
    return runNetServer(parseServerSettings(options));
  }
  if (options.net === true) {
    const net = parseNetSettings(options);
    if (net.help) {
      io.stdout.write(benchHelp);
      return 0;
    }
    return runNetBench(net, io);
  }
  const settings = parseBenchSettings(options);
  if (settings.help) {
    io.stdout.write(benchHelp);
    return 0;
  }
  if (settings.worker) {
    // The schema has checked: exactly one worker job, and --file.
    return runWorker(settings.jobs[0] as WorkerJob, { ...settings, file: settings.file as string }, io);
  }
  return runBench(settings, io);
}
