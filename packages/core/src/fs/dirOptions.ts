/**
 * The options of mkdir and removeDir, checked once for every backend: `{ recursive }` and nothing
 * else, a boolean (`{ recursive: 1 }` was taken as false, `{ force: true }` passed unnoticed).
 */
import { z } from "zod";
import { parseOptions } from "../options.js";

const DirOptionsSchema = z.strictObject({ recursive: z.boolean().optional() });

/** `options` of `op` (mkdir, removeDir and their twins), or kind InvalidInput naming the bad key. */
export function dirOptions(options: unknown, op: string): { readonly recursive?: boolean } {
  const { recursive } = parseOptions(DirOptionsSchema, options, op);
  return recursive === undefined ? {} : { recursive };
}
