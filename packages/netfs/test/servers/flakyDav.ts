/**
 * A WebDAV server that fails on purpose, for the retry tests: a PROPFIND of `/flaky-N-busy`
 * answers 503 (Retry-After 0) N times, `/flaky-N-reset` resets the connection N times, then
 * each answers a 207 with a 7-byte file; every other method on a flaky path is 503. `GET
 * /hits/PATH` (or `/hits/METHOD PATH`) answers how many requests that path (method) got.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Handles `req` when it names a flaky path or a hit count; false for anything else. */
export function serveFlaky(hits: Map<string, number>, req: IncomingMessage, res: ServerResponse): boolean {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  if (req.method === "GET" && path.startsWith("/hits/")) {
    res.writeHead(200).end(String(hits.get(path.slice("/hits".length).replace(/^\/(\w+) /, "$1 /")) ?? 0));
    return true;
  }
  const flaky = /^\/flaky-(\d+)-(\w+)$/.exec(path);
  if (flaky === null) return false;
  const key = req.method === "PROPFIND" ? path : `${req.method} ${path}`;
  const seen = (hits.get(key) ?? 0) + 1;
  hits.set(key, seen);
  req.resume();
  if (req.method !== "PROPFIND") {
    res.writeHead(503, { "retry-after": "0" }).end();
  } else if (seen <= Number(flaky[1])) {
    if (flaky[2] === "reset") req.socket.destroy();
    else res.writeHead(503, { "retry-after": "0" }).end();
  } else {
    const resource = `<D:response><D:href>${path}</D:href><D:propstat><D:prop><D:resourcetype/><D:getcontentlength>7</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
    res.writeHead(207, { "content-type": "application/xml" }).end(`<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">${resource}</D:multistatus>`);
  }
  return true;
}
