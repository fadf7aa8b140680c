/**
 * Open options as the flags of open(2). The numbers come from the caller (`fs.constants`), since
 * core does not import node:fs and the values differ between architectures (O_DIRECT).
 */
import type { ResolvedOpenOptions } from "./OpenOptions.js";

export interface OpenFlagConstants {
  readonly O_RDONLY: number;
  readonly O_WRONLY: number;
  readonly O_RDWR: number;
  readonly O_CREAT: number;
  readonly O_EXCL: number;
  readonly O_TRUNC: number;
  readonly O_APPEND: number;
  readonly O_DIRECT?: number | undefined;
}

export function openFlags(options: ResolvedOpenOptions, constants: OpenFlagConstants): number {
  const writes = options.write || options.append;
  let flags = options.read && writes ? constants.O_RDWR : writes ? constants.O_WRONLY : constants.O_RDONLY;
  if (options.createNew) flags |= constants.O_CREAT | constants.O_EXCL;
  else if (options.create) flags |= constants.O_CREAT;
  if (options.truncate) flags |= constants.O_TRUNC;
  if (options.append) flags |= constants.O_APPEND;
  if (options.direct) flags |= constants.O_DIRECT ?? 0;
  return flags;
}
