/**
 * The namespace methods of the WebDAV subset (RFC 4918): MKCOL (§9.3), DELETE (§9.6), MOVE
 * (§9.9, with Overwrite) and OPTIONS (§10.1, `DAV: 1`). Each goes through the directory handle,
 * so every path, the Destination's included, stays beneath the root.
 */
import { IoError, type FileStat } from "@pktio/core";
import { sameFile } from "@pktio/core/backend";
import { evaluatePreconditions, validatorsOf } from "./conditions.js";
import type { Exchange } from "./Exchange.js";
import { PARTIAL_UPDATE } from "./patchFile.js";
import { HttpRefusal, hasBody } from "./readBody.js";
import { BadPath, rootPath } from "./requestPath.js";
import { statOrMissing } from "./putFile.js";

/** Every method the server answers; OPTIONS and 405 answers list them. */
export const ALLOWED_METHODS = "OPTIONS, GET, HEAD, PUT, PATCH, DELETE, PROPFIND, MKCOL, MOVE, COPY";
/** Methods that change the tree (refused with 403 by a read-only server). */
export const WRITE_METHODS = new Set(["PUT", "PATCH", "DELETE", "MKCOL", "MOVE", "COPY"]);

export function options(exchange: Exchange): void {
  exchange.send(200, "", {
    allow: exchange.settings.readOnly ? "OPTIONS, GET, HEAD, PROPFIND" : ALLOWED_METHODS,
    // "sabredav-partialupdate" is how sabre/dav (and the webdav npm client) names PATCH support.
    dav: exchange.settings.readOnly ? "1" : "1, sabredav-partialupdate",
    "ms-author-via": "DAV",
    "accept-ranges": "bytes",
    // sabre/dav's partial updates (PATCH): what openWebDavFs looks for before writing in place.
    ...(exchange.settings.readOnly ? {} : { "accept-patch": PARTIAL_UPDATE }),
  });
}

export async function mkcol(exchange: Exchange): Promise<void> {
  // §9.3: a body the server does not understand is 415.
  if (hasBody(exchange.req)) return exchange.status(415);
  if (exchange.path.names.length === 0) return exchange.status(405);
  try {
    await exchange.dir.mkdir(exchange.path.relative);
  } catch (error) {
    if (IoError.is(error, "AlreadyExists")) return exchange.status(405);
    if (IoError.is(error, "NotFound") || IoError.is(error, "NotADirectory")) return exchange.status(409);
    throw error;
  }
  exchange.status(201);
}

export async function remove(exchange: Exchange): Promise<void> {
  const { path } = exchange;
  if (path.names.length === 0) return exchange.status(403);
  // If-Match and If-Unmodified-Since guard the removal (openWebDavFs's removeFile sends its
  // version's ETag): checked and acted on in the path's critical section, as PUT commits.
  await exchange.settings.locks.hold([path.names.join("/")], async () => {
    if (!(await preconditionsHold(exchange, path.relative))) return;
    await removeEntry(exchange, path.relative);
    exchange.status(204);
  });
}

/**
 * RFC 9110 §13.2.2 for a method that changes the request's resource (DELETE, MOVE, COPY's
 * source): false once it has answered 412. Call it inside the path's lock.
 */
export async function preconditionsHold(exchange: Exchange, relative: string, current?: FileStat): Promise<boolean> {
  const headers = exchange.req.headers;
  if (headers["if-match"] === undefined && headers["if-none-match"] === undefined && headers["if-unmodified-since"] === undefined) return true;
  const precondition = evaluatePreconditions(headers, validatorsOf(current ?? (await statOrMissing(exchange, relative))), false);
  if (precondition === "proceed") return true;
  exchange.status(precondition);
  return false;
}

/** Removes a file (or a symlink itself), else a collection with its contents (§9.6.1: depth infinity). */
export async function removeEntry(exchange: Exchange, relative: string): Promise<void> {
  try {
    await exchange.dir.removeFile(relative);
  } catch (error) {
    if (!IoError.is(error, "IsADirectory") && !IoError.is(error, "PermissionDenied")) throw error;
    // unlink on a directory fails EISDIR on Linux (EPERM elsewhere): it is a collection.
    const stat = await exchange.dir.stat(relative);
    if (stat.type !== "directory") throw error;
    await exchange.dir.removeDir(relative, { recursive: true });
  }
}

export async function move(exchange: Exchange): Promise<void> {
  const { path } = exchange;
  if (path.names.length === 0) return exchange.status(403);
  const target = transferTarget(exchange);
  if (target === undefined) return exchange.status(403);
  const { destination, overwrite, from, to } = target;
  // Onto an ancestor of the source: replacing it would delete the source first (mod_dav: 409).
  if (from.startsWith(to + "/")) return exchange.status(409);
  if (to.startsWith(from + "/")) return exchange.status(409);
  // The checks and the rename in both paths' critical section (PathLocks): with the check alone,
  // four MOVEs with Overwrite F onto one new name all answered 201 and three sources were lost.
  await exchange.settings.locks.hold([from, to], async () => {
    const source = await statOrMissing(exchange, path.relative);
    if (source === undefined) return exchange.status(404);
    if (!(await preconditionsHold(exchange, path.relative, source))) return;
    const existing = await statOrMissing(exchange, destination.relative);
    if (existing !== undefined) {
      if (overwrite === "F") return exchange.status(412);
      // The destination's entry is what the source leads to (the source a symlink to it, or
      // the same entry through a symlinked directory): deleting it first would delete the data
      // and leave the source a link to nothing. §9.9.4: 403. A destination that is a symlink
      // to the source, or another hard link of it, is deleted safely: the MOVE goes on.
      if (sameFile(existing, source) && (await sameEntry(exchange, path.names, destination.names))) return exchange.status(403);
      // §9.9.3: the destination is deleted first, so a collection may replace a file and back.
      await removeEntry(exchange, destination.relative);
    }
    try {
      await exchange.dir.rename(path.relative, destination.relative);
    } catch (error) {
      if (IoError.is(error, "NotFound") || IoError.is(error, "NotADirectory")) return exchange.status(409);
      // EINVAL from rename(2): a collection moved into itself through a symlink (`/dir/` to
      // `/alias/sub/`, `alias -> dir`), which the name check above cannot see; 409 as that check.
      // Judged by the kernel, not by names: moving a link to a collection moves the link (no EINVAL).
      if (IoError.is(error, "InvalidInput") && error.code === "EINVAL") return exchange.status(409);
      throw error;
    }
    exchange.status(existing === undefined ? 201 : 204);
  });
}

/**
 * Whether deleting the entry `to` deletes what `from` leads to, given both lead to one file:
 * not when `to` is itself a symlink (deleting it deletes the link); yes when `from` is a
 * symlink (to it); else yes only when they are one entry reached by two paths (their
 * collections are one, the names equal), not two hard links.
 */
async function sameEntry(exchange: Exchange, from: readonly string[], to: readonly string[]): Promise<boolean> {
  if (await isSymlink(exchange, to)) return false;
  if (await isSymlink(exchange, from)) return true;
  if (from[from.length - 1] !== to[to.length - 1]) return false;
  const [fromParent, toParent] = await Promise.all([exchange.dir.stat(from.slice(0, -1).join("/") || "."), exchange.dir.stat(to.slice(0, -1).join("/") || ".")]);
  return sameFile(fromParent, toParent);
}

/** Whether the entry `names` is a symlink (the directory handle's stat follows links; its listing does not). */
async function isSymlink(exchange: Exchange, names: readonly string[]): Promise<boolean> {
  const name = names[names.length - 1];
  for await (const entry of exchange.dir.readDir(names.slice(0, -1).join("/") || ".")) if (entry.name === name) return entry.type === "symlink";
  return false;
}

/** A MOVE's or COPY's Destination and Overwrite, checked (400); undefined for the root or the source itself (403). */
export function transferTarget(exchange: Exchange): { destination: ReturnType<typeof rootPath>; overwrite: "T" | "F"; from: string; to: string } | undefined {
  const { req, path } = exchange;
  const destination = destinationOf(req.headers["destination"], req.headers.host);
  const overwrite = req.headers["overwrite"] ?? "T";
  if (overwrite !== "T" && overwrite !== "F") throw new HttpRefusal(400, "Overwrite must be T or F");
  const from = path.names.join("/");
  const to = destination.names.join("/");
  if (destination.names.length === 0 || from === to) return undefined;
  return { destination, overwrite, from, to };
}

/**
 * The Destination header's path beneath the root: an absolute URL on this host, or an absolute
 * path. Its raw path is checked like a request target (WHATWG URL parsing would quietly resolve
 * `..` and `%2e%2e`; a Destination that needs it is refused instead).
 */
function destinationOf(header: string | string[] | undefined, host: string | undefined): ReturnType<typeof rootPath> {
  if (typeof header !== "string" || header === "") throw new HttpRefusal(400, "MOVE and COPY need a Destination");
  const absolute = /^https?:\/\/([^/?#]+)(\/[^#]*)?$/i.exec(header);
  // `//host/x` is a network-path reference, neither (RFC 4918 §10.3's Simple-ref, RFC 3986 §4.2).
  if (absolute === null && (!header.startsWith("/") || header.startsWith("//"))) throw new HttpRefusal(400, "the Destination is neither an absolute URL nor an absolute path");
  if (absolute !== null && host !== undefined && absolute[1]?.toLowerCase() !== host.toLowerCase()) throw new HttpRefusal(502, "the Destination is on another server");
  try {
    return rootPath(absolute === null ? header : (absolute[2] ?? "/"));
  } catch (error) {
    if (error instanceof BadPath) throw new HttpRefusal(400, `Destination: ${error.message}`);
    throw error;
  }
}
