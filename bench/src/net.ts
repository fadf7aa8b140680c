/**
 * Loopback network benchmarks (issue 14): `pktio bench --net` from the CLI's sources, with this
 * workspace's knobs. The trials, their servers (each in a process of its own, so that its CPU time
 * is measured alone) and their checking clients are the CLI's (packages/cli/src/bench/net/).
 * - tcp-echo: 64 connections, each sending 1 KiB and waiting for its echo, ROUNDS times;
 * - udp-echo: 16 clients ping-ponging 64-byte datagrams against a server with NET_UDP_LOOPS
 *   receive loops (8 by default, as a throughput-minded server runs them);
 * - tcp-hash: 1 GiB (or --gib N) on one connection, the server's SHA-256 checked.
 * Usage: pnpm --filter @pktio/bench run bench:net [--rounds N] [--gib N] [--only tcp-echo,...]
 * [--contenders node,uring,...] [--json]. NET_SERVER_NODE_ARGS adds node flags to the server
 * processes ("--cpu-prof --cpu-prof-dir=DIR" profiles the servers alone); NET_SERVER_OPTIONS
 * passes backend options to the pktio servers ('{"uring":{"directSends":false}}').
 */
import { fileURLToPath } from "node:url";
import { parseNetSettings, runNetBench } from "@pktio/cli";

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const settings = parseNetSettings({
  net: true,
  rounds: option("--rounds", "500"),
  transfer: `${option("--gib", "1")}g`,
  trials: option("--only", "tcp-echo,udp-echo,tcp-hash"),
  backend: option("--contenders", "node,uring,libuv,threaded"),
  "udp-loops": process.env.NET_UDP_LOOPS ?? "8",
  "server-options": process.env.NET_SERVER_OPTIONS ?? "{}",
  ...(args.includes("--json") ? { json: true as const } : {}),
});
/** The CLI from its sources, under tsx, with the server-only node flags first. */
const cli = fileURLToPath(new URL("../../packages/cli/src/main.ts", import.meta.url));
const serverNodeArgs = (process.env.NET_SERVER_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
const self = { command: process.execPath, args: [...serverNodeArgs, "--import", "tsx", cli] };
process.exitCode = await runNetBench(settings, { stdout: process.stdout, stderr: process.stderr }, self);
