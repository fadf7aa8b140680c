/**
 * `destinationWithin`: where a COPY's destination lies from a source collection, by identity
 * (device and inode) rather than by name, so that a symlink in either path is seen. (MOVE asks
 * rename(2) instead, which moves a link to a collection as the link.)
 */
import type { FileStat } from "@pktio/core";
import { sameFile } from "@pktio/core/backend";
import type { Exchange } from "./Exchange.js";
import { statOrMissing } from "./putFile.js";

/**
 * Where `destination` lies from the collection `source` by identity rather than by name: "same"
 * when it is that collection, "inside" when one of its ancestors (the root included) is. Names
 * alone miss a symlink in either path: `alias/sub` with `alias -> dir` is inside `dir`, and the
 * root reached as `dir/up` (`up -> ..`) holds every destination. Missing or unservable
 * ancestors are passed over (the operation itself fails there).
 */
export async function destinationWithin(exchange: Exchange, source: FileStat, destination: readonly string[]): Promise<"same" | "inside" | undefined> {
  for (let length = destination.length; length >= 0; length--) {
    let stat: FileStat | undefined;
    try {
      stat = await statOrMissing(exchange, length === 0 ? "." : destination.slice(0, length).join("/"));
    } catch {
      continue;
    }
    if (stat !== undefined && sameFile(stat, source)) return length === destination.length ? "same" : "inside";
  }
  return undefined;
}
