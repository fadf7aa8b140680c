/**
 * COPY (RFC 4918 §9.8): a file is copied into a staged file (stagedFile.ts) and renamed over
 * the destination, so readers see the old file or the whole copy (as a PUT); a collection is
 * made again at the destination with its members, all of them (`Depth: infinity`, the default)
 * or none (`Depth: 0`); symlinks among the members are not followed and not copied. `Overwrite: F` keeps an existing destination (412); otherwise it is
 * deleted first (§9.8.4). Every path goes through the directory handle, as MOVE's do.
 */
import { IoError } from "@pktio/core";
import { collectionMembers } from "./collectionMembers.js";
import { preconditionsHold, removeEntry, transferTarget } from "./davMethods.js";
import type { Exchange } from "./Exchange.js";
import { destinationWithin } from "./destinationWithin.js";
import { statOrMissing } from "./putFile.js";
import { HttpRefusal } from "./readBody.js";
import { commitStaged, openStaged } from "./stagedFile.js";
import { copyIntoFile, copyThroughOpens } from "./copyThroughOpens.js";

/** Answers a COPY: 201 created, 204 replaced, 412 kept, 409 no parent, 403 onto itself or the root. */
export async function copyResource(exchange: Exchange): Promise<void> {
  const { req, path } = exchange;
  const depth = req.headers["depth"] ?? "infinity";
  if (depth !== "0" && depth !== "infinity") throw new HttpRefusal(400, "COPY takes Depth 0 or infinity");
  const target = transferTarget(exchange);
  if (target === undefined) return exchange.status(403);
  const { destination, overwrite, from, to } = target;
  // Onto an ancestor of the source: replacing it would delete the source first (mod_dav: 409).
  if (from.startsWith(to + "/")) return exchange.status(409);
  // Checks and copy in both paths' critical section (PathLocks): Overwrite F holds, and so do
  // the source's If-Match / If-Unmodified-Since (a PUT of the source commits before or after).
  await exchange.settings.locks.hold([from, to], async () => {
    const source = await statOrMissing(exchange, path.relative);
    if (source === undefined) return exchange.status(404);
    if (!(await preconditionsHold(exchange, path.relative, source))) return;
    // A collection copied into itself would copy its own copy without end.
    if (source.type === "directory" && (path.names.length === 0 || to.startsWith(from + "/"))) return exchange.status(409);
    if (source.type === "directory") {
      // The same by identity, through a symlink in either path (alias -> dir, dir/up -> ..): onto
      // itself, replacing the destination would delete the source; into itself, without end.
      const where = await destinationWithin(exchange, source, destination.names);
      if (where === "same") return exchange.status(403);
      if (where === "inside") return exchange.status(409);
    }
    const existing = await statOrMissing(exchange, destination.relative);
    if (existing !== undefined && overwrite === "F") return exchange.status(412);
    try {
      if (source.type === "directory") {
        if (existing !== undefined) await removeEntry(exchange, destination.relative);
        await copyCollection(exchange, path.relative, destination.relative, depth === "infinity");
      } else {
        await copyFileAtomically(exchange, path.relative, destination.names);
      }
    } catch (error) {
      if (IoError.is(error, "NotFound") || IoError.is(error, "NotADirectory")) return exchange.status(409);
      throw error;
    }
    exchange.status(existing === undefined ? 201 : 204);
  });
}

/** The file's bytes into a staged file (stagedFile.ts), renamed over the destination when complete. */
async function copyFileAtomically(exchange: Exchange, from: string, to: readonly string[]): Promise<void> {
  const { name: staged, file } = await openStaged(exchange, to.slice(0, -1));
  try {
    await copyIntoFile(exchange, from, file);
    // rename replaces a file; a collection in the way is deleted first (§9.8.4).
    const existing = await statOrMissing(exchange, to.join("/"));
    if (existing?.type === "directory") await removeEntry(exchange, to.join("/"));
    await commitStaged(exchange, staged, to);
  } catch (error) {
    await exchange.dir.removeFile(staged).catch(() => undefined);
    throw error;
  }
}

/** Makes `to` as a collection and, when `deep`, copies every member of `from` into it. */
async function copyCollection(exchange: Exchange, from: string, to: string, deep: boolean): Promise<void> {
  await exchange.dir.mkdir(to);
  if (!deep) return;
  for (const member of await collectionMembers(exchange, from)) {
    // A symlink is not followed: `a/up -> ..` copied the tree into itself 40 levels deep, and two
    // links to "." doubled the copy at every level (2^40 directories from one request). The
    // copy holds the regular files and directories of the collection itself, as listings show.
    if (member.link) continue;
    const source = `${from === "." ? "" : from + "/"}${member.name}`;
    const target = `${to}/${member.name}`;
    if (member.stat.type === "directory") await copyCollection(exchange, source, target, true);
    else await copyThroughOpens(exchange, source, target);
  }
}
