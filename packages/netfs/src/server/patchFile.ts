/**
 * PATCH with sabre/dav's partial-update format (the one Nextcloud and ownCloud speak):
 * `Content-Type: application/x-sabredav-partialupdate` and `X-Update-Range: bytes=START-END`
 * (END inclusive and equal to START + body length − 1), `bytes=START-`, `bytes=-N` (the last N
 * bytes) or `append`. The body is written in place at that offset, through the runtime, as it
 * arrives: unlike PUT this is not atomic, which is what a partial write means. The file must
 * exist (404 otherwise), If-Match is honoured, and OPTIONS advertises the format (Accept-Patch).
 */
import type { Exchange } from "./Exchange.js";
import { etagOf, evaluatePreconditions, validatorsOf } from "./conditions.js";
import { statOrMissing } from "./putFile.js";
import { declaredLength, HttpRefusal, pumpBody } from "./readBody.js";

/** The media type of a partial update, as sabre/dav names it. */
export const PARTIAL_UPDATE = "application/x-sabredav-partialupdate";

export async function patchFile(exchange: Exchange): Promise<void> {
  const { req, dir, path, settings } = exchange;
  if ((req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() !== PARTIAL_UPDATE) return exchange.status(415, { "accept-patch": PARTIAL_UPDATE });
  const length = declaredLength(req, settings.maxBodyBytes);
  if (length === undefined) throw new HttpRefusal(411, "a partial update needs a Content-Length");
  // In place, so the precondition and the whole write are one critical section (PathLocks): two
  // If-Match PATCHes on one ETag would otherwise both write.
  await settings.locks.hold([path.names.join("/")], async () => {
    const current = await statOrMissing(exchange, path.relative);
    if (current === undefined) return exchange.status(404);
    if (current.type !== "file") return exchange.status(405);
    const precondition = evaluatePreconditions(req.headers, validatorsOf(current), false);
    if (precondition !== "proceed") return exchange.status(precondition);
    const start = updateStart(req.headers["x-update-range"], length, current.size);
    // A write far past the end would make a huge (sparse) file with a 1-byte body: a PATCH may
    // grow the file by at most what a PUT could send (maxBodyBytes).
    if (start > current.size && start + length - current.size > settings.maxBodyBytes) {
      throw new HttpRefusal(416, `X-Update-Range starts ${start - current.size} bytes past the end of the file; a partial update may grow it by at most ${settings.maxBodyBytes} bytes`);
    }
    const file = await dir.open(path.relative, { write: true });
    try {
      let pos = start;
      await pumpBody(req, settings.maxBodyBytes, async (chunk) => {
        await file.writeAllAt(pos, chunk);
        pos += chunk.length;
      });
    } finally {
      await file.close();
    }
    exchange.status(204, { etag: etagOf(await dir.stat(path.relative)) });
  });
}

/** Where an X-Update-Range puts a body of `length` bytes in a file of `size`; 400/416 when it cannot. */
function updateStart(header: string | string[] | undefined, length: number, size: number): number {
  if (typeof header !== "string") throw new HttpRefusal(400, "a partial update needs X-Update-Range");
  const value = header.trim();
  if (value.toLowerCase() === "append") return size;
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/i.exec(value);
  if (match === null || (match[1] === "" && match[2] === "")) throw new HttpRefusal(400, "malformed X-Update-Range");
  const [, first = "", last = ""] = match;
  if (first === "") {
    const suffix = Number(last);
    if (suffix !== length || suffix > size) throw new HttpRefusal(416, "X-Update-Range suffix does not fit the body or the file");
    return size - suffix;
  }
  const start = Number(first);
  if (last !== "" && Number(last) - start + 1 !== length) throw new HttpRefusal(416, "X-Update-Range does not match the body length");
  return start;
}
