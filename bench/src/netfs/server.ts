/**
 * The remote side of bench:netfs, in its own process: an origin (Node's `send` over a directory,
 * or with `--memory` the same files served from memory, which costs the shared 2-core machine
 * less CPU per request) and, in front of it, one delay proxy per delay given. A proxy forwards each request over a
 * keep-alive pool and holds the response `delayMs` before answering, like a far server; it counts
 * requests and body bytes, read and reset through `GET /__stats` and `POST /__reset`.
 * Usage: tsx server.ts [--memory] DIR DELAY_MS... — prints one JSON line {origin, proxies: {delay: url}}.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import send from "send";
import { Pool } from "undici";

const argv = process.argv.slice(2);
const memory = argv[0] === "--memory";
const [root, ...delays] = memory ? argv.slice(1) : argv;
if (root === undefined || delays.length === 0) {
  console.error("usage: server.ts DIR DELAY_MS...");
  process.exit(2);
}

function listen(server: Server): Promise<string> {
  // Room for 64 connections from each contender, and more.
  server.maxConnections = 4096;
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
}

const files = new Map<string, { bytes: Uint8Array; etag: string; modified: string }>();
if (memory) {
  for (const name of readdirSync(root)) {
    const stats = statSync(`${root}/${name}`);
    files.set(`/${name}`, { bytes: readFileSync(`${root}/${name}`), etag: `"${stats.size.toString(16)}-${stats.mtimeMs.toString(16)}"`, modified: stats.mtime.toUTCString() });
  }
}

/** A correct Range server over the files read at start (single ranges, If-Match honoured). */
function serveFromMemory(request: IncomingMessage, response: ServerResponse): void {
  const file = files.get(new URL(request.url ?? "/", "http://x").pathname);
  if (file === undefined) return void response.writeHead(404).end();
  const size = file.bytes.length;
  const ifMatch = request.headers["if-match"];
  if (ifMatch !== undefined && ifMatch !== file.etag) return void response.writeHead(412).end();
  const headers = { etag: file.etag, "last-modified": file.modified, "accept-ranges": "bytes" };
  if (request.method === "HEAD") return void response.writeHead(200, { ...headers, "content-length": size }).end();
  const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? "");
  if (range === null) return void response.writeHead(200, { ...headers, "content-length": size }).end(file.bytes);
  const first = Number(range[1]);
  const last = Math.min(Number(range[2]), size - 1);
  if (first > last) return void response.writeHead(416, { "content-range": `bytes */${size}` }).end();
  response.writeHead(206, { ...headers, "content-range": `bytes ${first}-${last}/${size}`, "content-length": last - first + 1 }).end(file.bytes.subarray(first, last + 1));
}

const origin = createServer((request, response) => {
  if (memory) return serveFromMemory(request, response);
  send(request, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname), { root }).pipe(response);
});
const originUrl = await listen(origin);
const upstream = new Pool(originUrl, { connections: 256 });

const proxies: Record<string, string> = {};
for (const delay of delays.map(Number)) {
  const stats = { requests: 0, bytes: 0 };
  const proxy = createServer((request, response) => {
    if (request.url === "/__stats") return void response.end(JSON.stringify(stats));
    if (request.url === "/__reset") {
      stats.requests = 0;
      stats.bytes = 0;
      return void response.end("{}");
    }
    stats.requests++;
    const headers: Record<string, string> = {};
    for (const name of ["range", "if-match", "if-unmodified-since", "accept-encoding"]) {
      const value = request.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    upstream
      .request({ path: request.url ?? "/", method: request.method === "HEAD" ? "HEAD" : "GET", headers })
      .then(async ({ statusCode, headers: answer, body }) => {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(chunk as Buffer);
        const payload = Buffer.concat(chunks);
        stats.bytes += payload.length;
        // The fixed delay per response: what a far server adds, whatever the size.
        setTimeout(() => {
          response.statusCode = statusCode;
          for (const [name, value] of Object.entries(answer)) {
            if (value !== undefined && name !== "connection" && name !== "keep-alive" && name !== "transfer-encoding") response.setHeader(name, value);
          }
          response.end(payload);
        }, delay);
      })
      .catch((error: unknown) => {
        response.statusCode = 502;
        response.end(String(error));
      });
  });
  proxies[String(delay)] = await listen(proxy);
}
console.log(JSON.stringify({ origin: originUrl, proxies }));
// The parent ends this process with SIGTERM when the bench is done.
process.on("SIGTERM", () => process.exit(0));
