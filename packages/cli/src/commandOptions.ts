/**
 * The zod pieces every command's options are built from (sizes, durations, flags, counts) and
 * `parseCommandOptions`, which turns the first problem into a UsageError naming the option as
 * the user typed it: `pktio bench: --bs: expected a size such as 4k, 1m or 512 (got "4x")` (as runCli prints it).
 */
import { z } from "zod";
import { parseDuration, parseSize } from "./units.js";
import { UsageError } from "./UsageError.js";

/** What parseArgv gives an option: its text, or `true` for a bare `--name`. */
const raw = z.union([z.string(), z.literal(true)]);

/** A `--name` without a value; `--name=true|false` also works. */
export const flag = raw
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === true || value === "true") return value !== undefined;
    if (value === "false") return false;
    context.addIssue({ code: "custom", message: `is a flag and takes no value (got ${JSON.stringify(value)})` });
    return z.NEVER;
  });

/** Text after `--name`; a bare `--name` is reported as missing its value. */
export const text = raw.transform((value, context) => {
  if (value === true || value === "") {
    context.addIssue({ code: "custom", message: "needs a value" });
    return z.NEVER;
  }
  return value;
});

/** A size in bytes (`4k`, `256m`, `1g`, `512`) within [min, max]. */
export function size(min: number, max: number): z.ZodType<number, string | true> {
  return text.transform((value, context) => {
    const bytes = parseSize(value);
    if (bytes === undefined) context.addIssue({ code: "custom", message: `expected a size such as 4k, 1m or 512 (got ${JSON.stringify(value)})` });
    else if (bytes < min || bytes > max) context.addIssue({ code: "custom", message: `must be between ${min} and ${max} bytes (got ${value})` });
    else return bytes;
    return z.NEVER;
  });
}

/** A duration in milliseconds (`300ms`, `3s`, `1m`; a bare number is seconds) within [min, max] ms. */
export function duration(min: number, max: number): z.ZodType<number, string | true> {
  return text.transform((value, context) => {
    const ms = parseDuration(value);
    if (ms === undefined) context.addIssue({ code: "custom", message: `expected a duration such as 300ms or 3s (got ${JSON.stringify(value)})` });
    else if (ms < min || ms > max) context.addIssue({ code: "custom", message: `must be between ${min} ms and ${max / 1000} s (got ${value})` });
    else return ms;
    return z.NEVER;
  });
}

/** A whole number within [min, max]. */
export function count(min: number, max: number): z.ZodType<number, string | true> {
  return text.transform((value, context) => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      context.addIssue({ code: "custom", message: `expected a whole number from ${min} to ${max} (got ${JSON.stringify(value)})` });
      return z.NEVER;
    }
    return number;
  });
}

/** One of `choices`. */
export function oneOf<const T extends readonly [string, ...string[]]>(choices: T): z.ZodType<T[number], string | true> {
  return text.transform((value, context) => {
    if ((choices as readonly string[]).includes(value)) return value as T[number];
    context.addIssue({ code: "custom", message: `expected one of ${choices.join(", ")} (got ${JSON.stringify(value)})` });
    return z.NEVER;
  });
}

/**
 * Parses a command's options; the first issue becomes a UsageError naming the option
 * (`--name`), unknown options included.
 */
export function parseCommandOptions<S extends z.ZodType>(command: string, schema: S, options: Readonly<Record<string, string | true>>): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new UsageError("invalid options", command);
  if (issue.code === "unrecognized_keys") {
    const names = issue.keys.map((key) => `--${key}`).join(", ");
    throw new UsageError(`unknown option${issue.keys.length > 1 ? "s" : ""} ${names} (see pktio ${command} --help)`, command);
  }
  const name = issue.path[0];
  throw new UsageError(`${name === undefined ? "" : `--${String(name)}: `}${issue.message}`, command);
}
