/**
 * How to open a file, checked with zod and mfio's rules: creating or truncating needs `write`
 * (or `append` for create), and unknown keys are named in the error.
 */
import { IoError } from "../IoError.js";
import { z } from "zod";
import { parseOptions } from "../options.js";

export const OpenOptions = z.strictObject({
  read: z.boolean().default(true),
  write: z.boolean().default(false),
  /** Append: writes go to the end (their position is ignored by the OS). Implies write. */
  append: z.boolean().default(false),
  /** Create the file if it is missing. */
  create: z.boolean().default(false),
  /** Create the file; fail with AlreadyExists if it exists. */
  createNew: z.boolean().default(false),
  /** Cut the file to length 0 on open. */
  truncate: z.boolean().default(false),
  /** O_DIRECT: bypass the page cache; buffers, positions and lengths must be aligned. */
  direct: z.boolean().default(false),
  /**
   * Permission bits of a file this open creates (open(2)'s mode, less the process's umask), e.g.
   * 0o600 for a file only its owner may read; default 0o666. Needs create or createNew; a file
   * that exists keeps its own.
   */
  mode: z.number().int().min(0).max(0o7777).optional(),
});
export type OpenOptions = z.input<typeof OpenOptions>;
export type ResolvedOpenOptions = z.output<typeof OpenOptions>;

/** Parses and checks open options; throws IoError kind InvalidInput naming the problem. */
export function resolveOpenOptions(options: unknown): ResolvedOpenOptions {
  const resolved = parseOptions(OpenOptions, options, "open options");
  const writes = resolved.write || resolved.append;
  if ((resolved.createNew || resolved.create) && !writes) {
    throw new IoError("InvalidInput", `open options: ${resolved.createNew ? "createNew" : "create"} needs write or append`, { op: "open" });
  }
  if (resolved.truncate && !resolved.write) {
    throw new IoError("InvalidInput", "open options: truncate needs write", { op: "open" });
  }
  if (resolved.truncate && resolved.append) {
    throw new IoError("InvalidInput", "open options: truncate and append exclude each other", { op: "open" });
  }
  if (resolved.mode !== undefined && !resolved.create && !resolved.createNew) {
    throw new IoError("InvalidInput", "open options: mode needs create or createNew (it sets the permission bits of a file the open creates)", { op: "open" });
  }
  if (!resolved.read && !writes) {
    throw new IoError("InvalidInput", "open options: at least one of read, write or append must be true", { op: "open" });
  }
  return resolved;
}

/** The mode open(2) is given: the caller's `mode`, else 0o666 (both less the umask, by the kernel). */
export function createMode(options: ResolvedOpenOptions): number {
  return options.mode ?? 0o666;
}
