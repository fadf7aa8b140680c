/** Open options as the flags of open(2), with this machine's numbers. */
import { constants } from "node:fs";
import { openFlags as flagsFrom, type ResolvedOpenOptions } from "@pktio/core/backend";

export function openFlags(options: ResolvedOpenOptions): number {
  return flagsFrom(options, constants);
}
