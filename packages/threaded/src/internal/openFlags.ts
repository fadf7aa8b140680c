/** Open options as the flags of open(2). */
import { constants } from "node:fs";
import type { ResolvedOpenOptions } from "@pktio/core";

export function openFlags(options: ResolvedOpenOptions): number {
  const writes = options.write || options.append;
  let flags = options.read && writes ? constants.O_RDWR : writes ? constants.O_WRONLY : constants.O_RDONLY;
  if (options.createNew) flags |= constants.O_CREAT | constants.O_EXCL;
  else if (options.create) flags |= constants.O_CREAT;
  if (options.truncate) flags |= constants.O_TRUNC;
  if (options.append) flags |= constants.O_APPEND;
  if (options.direct) flags |= constants.O_DIRECT;
  return flags;
}
