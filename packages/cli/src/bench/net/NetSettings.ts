/**
 * `pktio bench --net`'s options, checked with zod (each problem names its option): which trials,
 * which contenders (pktio backends and plain node:net / node:dgram), and how long each runs.
 */
import { z } from "zod";
import { BackendNames } from "@pktio/core";
import { count, flag, parseCommandOptions, size, text } from "../../commandOptions.js";

/** The trials of `pktio bench --net`. */
export const NetTrials = ["tcp-echo", "udp-echo", "tcp-hash"] as const;
export type NetTrial = (typeof NetTrials)[number];
/** The ratio column's reference (node:net, node:dgram) comes first. */
export const NetContenders = ["node", ...BackendNames] as const;
export type NetContender = (typeof NetContenders)[number];

/** Bounded: the defaults finish in well under a minute on 2 cores. */
export const NET_DEFAULTS = { rounds: 200, transfer: 64 * 1024 * 1024 } as const;

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

const NetOptions = z.strictObject({
  net: flag,
  trials: list(NetTrials, "trial").optional(),
  backend: list(NetContenders, "contender").optional(),
  rounds: count(1, 1_000_000).optional(),
  transfer: size(1024 * 1024, 64 * 1024 * 1024 * 1024).optional(),
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
    json: parsed.json,
    help: parsed.help,
  };
}

/** The hidden server mode's argument: `--net-server TRIAL:CONTENDER`. */
export function parseServerArg(value: string | true | undefined): { trial: NetTrial; contender: NetContender } {
  const [trial, contender] = typeof value === "string" ? value.split(":") : [];
  if (!(NetTrials as readonly string[]).includes(trial ?? "") || !(NetContenders as readonly string[]).includes(contender ?? "")) {
    throw new Error(`--net-server takes TRIAL:CONTENDER (${NetTrials.join("|")}:${NetContenders.join("|")})`);
  }
  return { trial: trial as NetTrial, contender: contender as NetContender };
}
