/**
 * PUT: the body is written to a staged file (stagedFile.ts) and renamed over the target once
 * complete, so readers see the old file or the new one, never half of either, and an upload cut
 * short (a dropped client, the size limit) leaves the old file as it was. If-Match and
 * If-None-Match are honoured (`If-None-Match: *` creates only; checked at the start, to refuse
 * early, and again with the rename in the path's lock, see PathLocks), the size limit is enforced while
 * the body arrives, and a missing parent collection answers 409 (RFC 4918 §9.7.1).
 */
import { IoError, type FileStat } from "@pktio/core";
import type { Exchange } from "./Exchange.js";
import { etagOf, evaluatePreconditions, validatorsOf } from "./conditions.js";
import { declaredLength, HttpRefusal, pumpBody } from "./readBody.js";
import { UPLOAD_PREFIX } from "./requestPath.js";
import { commitStaged, openStaged } from "./stagedFile.js";

export { UPLOAD_PREFIX };

export async function putFile(exchange: Exchange): Promise<void> {
  const { req, dir, path, settings } = exchange;
  if (path.names.length === 0 || path.trailingSlash) return exchange.status(405);
  if (req.headers["content-range"] !== undefined) throw new HttpRefusal(400, "partial PUT (Content-Range) is not supported");
  declaredLength(req, settings.maxBodyBytes);
  const current = await statOrMissing(exchange, path.relative);
  if (current?.type === "directory") return exchange.status(405);
  const precondition = evaluatePreconditions(req.headers, validatorsOf(current), false);
  if (precondition !== "proceed") return exchange.status(precondition);
  // No parent collection: 409 before the body is read (the upload may be staged in the root).
  const parent = path.names.slice(0, -1);
  if (parent.length > 0 && (await statOrMissing(exchange, parent.join("/")))?.type !== "directory") return exchange.status(409);
  const { name: upload, file } = await openStaged(exchange, parent);
  let renamed = false;
  try {
    let pos = 0;
    await pumpBody(req, settings.maxBodyBytes, async (chunk) => {
      await file.writeAllAt(pos, chunk);
      pos += chunk.length;
    });
    await file.close();
    // The preconditions again, with the rename, in the path's critical section: checked only at
    // the start, two create-only PUTs (or two If-Match on one ETag) both replaced the file.
    await settings.locks.hold([path.names.join("/")], async () => {
      const now = await statOrMissing(exchange, path.relative);
      const still = now?.type === "directory" ? 405 : evaluatePreconditions(req.headers, validatorsOf(now), false);
      if (still !== "proceed") {
        // Removed before the answer: a client that sees it finds no upload file left behind.
        await dir.removeFile(upload).catch(() => undefined);
        return exchange.status(still);
      }
      try {
        await commitStaged(exchange, upload, path.names);
      } catch (error) {
        // The parent collection was moved or deleted during the upload (RFC 4918 §9.7.1).
        if (!IoError.is(error, "NotFound") && !IoError.is(error, "NotADirectory")) throw error;
        await dir.removeFile(upload).catch(() => undefined);
        return exchange.status(409);
      }
      renamed = true;
      const written = await dir.stat(path.relative);
      exchange.status(now === undefined ? 201 : 204, { etag: etagOf(written) });
    });
  } finally {
    if (!renamed) {
      // Closed already when the body was in (a second close rejects): the upload is removed either way.
      await file.close().catch(() => undefined);
      await dir.removeFile(upload).catch(() => undefined);
    }
  }
}

/**
 * The stat of a path, or `undefined` when nothing is there: missing, or beneath a file (ENOTDIR:
 * `a.txt/x` names nothing either), so that a PUT, COPY or MOVE there reaches the step that finds
 * no parent collection and answers 409 as for a missing one (RFC 4918 §9.7.1, §9.8.5), not 404.
 */
export async function statOrMissing(exchange: Exchange, relative: string): Promise<FileStat | undefined> {
  try {
    return await exchange.dir.stat(relative);
  } catch (error) {
    if (IoError.is(error, "NotFound") || IoError.is(error, "NotADirectory")) return undefined;
    throw error;
  }
}
