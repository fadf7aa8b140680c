/**
 * The members of a served collection with their stats, through the directory handle: a symlink
 * is stat'ed through the handle too, so one that leads outside the root (or nowhere) is left
 * out of listings instead of revealing what lies outside.
 */
import { IoError, type FileStat } from "@pktio/core";
import type { Exchange } from "./Exchange.js";
import { isServableName } from "./requestPath.js";

/** A member of a collection. */
export interface Member {
  readonly name: string;
  readonly stat: FileStat;
  /** True when the entry is a symlink (to a file or directory inside the root; `stat` is its target's). */
  readonly link: boolean;
}

/** Stats a member's relative path; `undefined` for one that cannot be served (escaping symlink, gone). */
async function statMember(exchange: Exchange, relative: string): Promise<FileStat | undefined> {
  try {
    return await exchange.dir.stat(relative);
  } catch (error) {
    if (IoError.is(error, "PermissionDenied") || IoError.is(error, "NotFound") || IoError.is(error, "FilesystemLoop")) return undefined;
    throw error;
  }
}

/** The members of the collection at `relative` (the request's by default): regular files and directories only, sorted by name. */
export async function collectionMembers(exchange: Exchange, relative = exchange.path.relative): Promise<Member[]> {
  const base = relative === "." ? "" : relative + "/";
  const members: Member[] = [];
  for await (const entry of exchange.dir.readDir(relative)) {
    if (!isServableName(entry.name)) continue;
    const stat = await statMember(exchange, base + entry.name);
    if (stat !== undefined && (stat.type === "file" || stat.type === "directory")) members.push({ name: entry.name, stat, link: entry.type === "symlink" });
  }
  return members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
