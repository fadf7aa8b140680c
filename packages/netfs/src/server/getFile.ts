/**
 * GET and HEAD: a file's bytes (the whole file or one range) read through the runtime in chunks
 * and written with the response's backpressure, so a slow client holds one chunk, not the file.
 * The file is opened first and its own stat gives the validators, so the headers describe the
 * version whose bytes are sent. A collection answers a small HTML index.
 */
import type { FileHandle, FileStat } from "@pktio/core";
import type { Exchange } from "./Exchange.js";
import { etagOf, evaluatePreconditions, ifRangeHolds, parseRange } from "./conditions.js";
import { listCollection } from "./listCollection.js";
import { contentTypeOf } from "./contentType.js";

/** Bytes read per request to the runtime. */
const CHUNK = 256 * 1024;

export async function getFile(exchange: Exchange): Promise<void> {
  const { req, res, dir, path } = exchange;
  const file = await dir.open(path.relative, { read: true });
  try {
    const stat = await file.stat();
    if (stat.type === "directory") return await listCollection(exchange);
    if (stat.type !== "file") return exchange.status(403);
    // `a.txt/` names a directory that is not there: open(2) of it is ENOTDIR, and a cache would
    // keep the file under a second URL.
    if (path.trailingSlash) return exchange.status(404);
    const etag = etagOf(stat);
    const validators = { etag, modifiedMs: stat.modifiedMs };
    const headers: Record<string, string | number> = {
      etag,
      "last-modified": new Date(stat.modifiedMs).toUTCString(),
      "accept-ranges": "bytes",
      "content-type": contentTypeOf(path.names[path.names.length - 1] ?? ""),
    };
    const precondition = evaluatePreconditions(req.headers, validators, true);
    if (precondition !== "proceed") return exchange.send(precondition, "", precondition === 304 ? headers : {});
    const ifRangeHeader = req.headers["if-range"];
    const ifRange = typeof ifRangeHeader === "string" ? ifRangeHeader : undefined;
    const rangeHeader = req.headers.range;
    const range = ifRangeHolds(ifRange, validators) ? parseRange(rangeHeader, stat.size) : ({ kind: "whole" } as const);
    if (range.kind === "unsatisfiable") return exchange.status(416, { "content-range": `bytes */${stat.size}` });
    const [start, end] = range.kind === "part" ? [range.start, range.end] : [0, stat.size];
    if (range.kind === "part") headers["content-range"] = `bytes ${start}-${end - 1}/${stat.size}`;
    res.writeHead(range.kind === "part" ? 206 : 200, { ...headers, "content-length": end - start });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    await sendBytes(exchange, file, stat, start, end);
  } finally {
    await file.close();
  }
}

/** Streams [start, end) of the file; a file cut short under us ends the connection (the length was promised). */
async function sendBytes(exchange: Exchange, file: FileHandle, _stat: FileStat, start: number, end: number): Promise<void> {
  const { res } = exchange;
  let pos = start;
  while (pos < end) {
    if (res.destroyed) return;
    // A fresh buffer per chunk: the socket may still hold the previous one.
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, end - pos));
    const read = await file.readAt(pos, chunk);
    if (read < chunk.length) {
      res.destroy();
      return;
    }
    pos += read;
    exchange.bytesSent += read;
    if (!res.write(chunk)) await drained(res);
  }
  res.end();
}

/** Resolves when the response can take more, or is gone. */
function drained(res: Exchange["res"]): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
