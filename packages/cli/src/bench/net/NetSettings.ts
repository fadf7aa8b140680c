/**
 * `pktio bench --net`'s options, checked with zod (each problem names its option): which trials,
 * which contenders (pktio backends and plain node:net / node:dgram), and how long each runs.
 */
import { z } from "zod";
import { BackendNames } from "@pktio/core";
import type { BackendOptions } from "@pktio/rt";
import { count, flag, parseCommandOptions, size, text } from "../../commandOptions.js";

/** The trials of `pktio bench --net`. */
export const NetTrials = ["tcp-echo", "udp-echo", "tcp-hash"] as const;
export type NetTrial = (typeof NetTrials)[number];
/** The ratio column's reference (node:net, node:dgram) comes first. */
export const NetContenders = ["node", ...BackendNames] as const;
export type NetContender = (typeof NetContenders)[number];

/** Bounded: the defaults finish in well under a minute on 2 cores. */
export const NET_DEFAULTS = { rounds: 200, transfer: 64 * 1024 * 1024, udpLoops: 1 } as const;

function list<const T extends readonly string[]>(choices: T, what: string): z.ZodType<T[number][], string | true> {
  return text.transform((value, context) => {
    const names = value.split(",").map((name) => name.trim());
    for (const name of names) {
      if (!(choices as readonly string[]).includes(name)) {
        context.addIssue({ code: "custom", message: `unknown ${what} ${JSON.stringify(name)}; expected a comma-separated list of ${choices.join(", ")}` });
        return z.NEVER;
      }
    }
    return [...new Set(names)] as T[number][];
  });
}

/** Backend options as JSON keyed by backend name: `{"uring":{"submitThread":false}}` (each backend checks its own). */
const serverOptions = text.transform((value, context) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    context.addIssue({ code: "custom", message: `expected JSON such as {"uring":{"directSends":false}} (${(error as Error).message})` });
    return z.NEVER;
  }
  const isObject = (item: unknown): item is Record<string, unknown> => typeof item === "object" && item !== null && !Array.isArray(item);
  if (!isObject(parsed) || !Object.entries(parsed).every(([name, options]) => (BackendNames as readonly string[]).includes(name) && isObject(options))) {
    context.addIssue({ code: "custom", message: `expected an object of backend options keyed by ${BackendNames.join(", ")} (got ${value})` });
    return z.NEVER;
  }
  return parsed as BackendOptions;
});

const NetOptions = z.strictObject({
  net: flag,
  trials: list(NetTrials, "trial").optional(),
  backend: list(NetContenders, "contender").optional(),
  rounds: count(1, 1_000_000).optional(),
  transfer: size(1024 * 1024, 64 * 1024 * 1024 * 1024).optional(),
  "udp-loops": count(1, 64).optional(),
  "server-options": serverOptions.optional(),
  json: flag,
  help: flag,
});

/** A checked `pktio bench --net` command line. */
export interface NetSettings {
  readonly trials: readonly NetTrial[];
  readonly contenders: readonly NetContender[];
  /** Requests per TCP connection; UDP clients make four times as many. */
  readonly rounds: number;
  /** Bytes of the verified TCP transfer. */
  readonly transfer: number;
  /** Receive loops the pktio udp-echo server runs on its one socket. */
  readonly udpLoops: number;
  /** Options for the pktio servers' backends. */
  readonly serverOptions: BackendOptions;
  readonly json: boolean;
  readonly help: boolean;
}

/** Checks the options of `pktio bench --net`; UsageError naming the bad option. */
export function parseNetSettings(options: Readonly<Record<string, string | true>>): NetSettings {
  const parsed = parseCommandOptions("bench", NetOptions, options);
  return {
    trials: parsed.trials ?? NetTrials,
    contenders: parsed.backend ?? NetContenders,
    rounds: parsed.rounds ?? NET_DEFAULTS.rounds,
    transfer: parsed.transfer ?? NET_DEFAULTS.transfer,
    udpLoops: parsed["udp-loops"] ?? NET_DEFAULTS.udpLoops,
    serverOptions: parsed["server-options"] ?? {},
    json: parsed.json,
    help: parsed.help,
  };
}

/** What one server of the hidden `--net-server TRIAL:CONTENDER` mode runs. */
export interface NetServerSettings {
  readonly trial: NetTrial;
  readonly contender: NetContender;
  readonly udpLoops: number;
  readonly serverOptions: BackendOptions;
}

const ServerOptions = z.strictObject({
  "net-server": text,
  "udp-loops": count(1, 64).optional(),
  "server-options": serverOptions.optional(),
});

/** The hidden server mode's options (`--net-server TRIAL:CONTENDER`, and the run's `--udp-loops` and `--server-options`). */
export function parseServerSettings(options: Readonly<Record<string, string | true>>): NetServerSettings {
  const parsed = parseCommandOptions("bench", ServerOptions, options);
  const [trial, contender] = parsed["net-server"].split(":");
  if (!(NetTrials as readonly string[]).includes(trial ?? "") || !(NetContenders as readonly string[]).includes(contender ?? "")) {
    throw new Error(`--net-server takes TRIAL:CONTENDER (${NetTrials.join("|")}:${NetContenders.join("|")})`);
  }
  return { trial: trial as NetTrial, contender: contender as NetContender, udpLoops: parsed["udp-loops"] ?? NET_DEFAULTS.udpLoops, serverOptions: parsed["server-options"] ?? {} };
}
