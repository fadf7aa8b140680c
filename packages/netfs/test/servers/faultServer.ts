/**
 * A small HTTP server of our own that misbehaves on purpose, one route per fault. It serves
 * `bytes` with Range like a correct server on `/ok`, and every request is logged (method, path,
 * Range, the headers pktio sets) so tests can check what went over the wire.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listen, type RunningServer } from "./sendServer.js";

/** One request as the server saw it. */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  readonly ifMatch: string | undefined;
  readonly ifUnmodifiedSince: string | undefined;
  readonly authorization: string | undefined;
}

/** A running fault server. */
export interface FaultServer extends RunningServer {
  readonly log: LoggedRequest[];
  /** Requests so far whose path (query included) is `path`. */
  count(path: string): number;
  /** Body bytes written on `/ignore-range` responses (to show the client stopped reading). */
  readonly ignoredRangeBytesSent: () => number;
  /** Changes the version `/changes` and `/changes-unchecked` serve from now on. */
  bumpVersion(): void;
  /** Makes the target `/expiring` redirects to change: the old one answers 403 from now on. */
  rotateSignature(): void;
  /** Lets `/lying-length-later` send the bytes past its range (it holds them until this is called). */
  releaseExtra(): void;
}

/** A handler for one route: gets the request, its 1-based count on this route, and `bytes`. */
type Route = (request: IncomingMessage, response: ServerResponse, hit: number) => void;

const RANGE = /^bytes=(\d+)-(\d+)?$/;

/** The range a request asks for, clamped to `size`; undefined for none or an unsatisfiable one. */
function askedRange(request: IncomingMessage, size: number): [number, number] | undefined {
  const match = RANGE.exec(request.headers.range ?? "");
  if (match === null) return undefined;
  const first = Number(match[1]);
  const last = Math.min(match[2] === undefined ? size - 1 : Number(match[2]), size - 1);
  return first <= last ? [first, last] : undefined;
}

/** What a correct server answers (HEAD, GET, GET with Range), with extra headers. */
export function serveCorrectly(request: IncomingMessage, response: ServerResponse, bytes: Uint8Array, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.setHeader("accept-ranges", "bytes");
  if (request.method === "HEAD") {
    response.setHeader("content-length", bytes.length);
    return void response.end();
  }
  const range = askedRange(request, bytes.length);
  if (request.headers.range !== undefined && range === undefined) {
    response.statusCode = 416;
    response.setHeader("content-range", `bytes */${bytes.length}`);
    return void response.end();
  }
  if (range === undefined) {
    response.setHeader("content-length", bytes.length);
    return void response.end(bytes);
  }
  const [first, last] = range;
  response.statusCode = 206;
  response.setHeader("content-range", `bytes ${first}-${last}/${bytes.length}`);
  response.setHeader("content-length", last - first + 1);
  response.end(bytes.subarray(first, last + 1));
}

/** Starts the server on loopback over `bytes`; `origin` is another server's base URL for cross-origin redirects. */
export async function startFaultServer(bytes: Uint8Array, options: { redirectTo?: string } = {}): Promise<FaultServer> {
  const log: LoggedRequest[] = [];
  const hits = new Map<string, number>();
  let ignoredSent = 0;
  let releaseExtra!: () => void;
  const extraReleased = new Promise<void>((resolve) => (releaseExtra = resolve));
  let version = 1;
  let signature = 1;
  const etagOf = (): string => `"v${version}"`;
  const dateOf = (): string => new Date(Date.UTC(2026, 0, version)).toUTCString();

  const routes: Record<string, Route> = {
    "/ok": (request, response) => serveCorrectly(request, response, bytes, { etag: '"v1"' }),
    // Drops the connection half way through the body: every time, or only the first GET.
    "/drop-always": (request, response) => dropMidBody(request, response, bytes),
    "/drop-once": (request, response, hit) => (request.method === "GET" && countGets("/drop-once") === 1 ? dropMidBody(request, response, bytes) : serveCorrectly(request, response, bytes)),
    // A chunked body that ends cleanly before the range does: every time, or only the first GET.
    "/short-always": (request, response) => shortBody(request, response, bytes),
    "/short-once": (request, response) => (request.method === "GET" && countGets("/short-once") === 1 ? shortBody(request, response, bytes) : serveCorrectly(request, response, bytes)),
    // Answers another range than the one asked for.
    "/lying-range": (request, response) => {
      if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
      const [first, last] = askedRange(request, bytes.length) ?? [0, bytes.length - 1];
      const shifted = Math.min(first + 1, bytes.length - 1 - (last - first));
      response.statusCode = 206;
      response.setHeader("content-range", `bytes ${shifted}-${shifted + last - first}/${bytes.length}`);
      response.setHeader("content-length", last - first + 1);
      response.end(bytes.subarray(shifted, shifted + last - first + 1));
    },
    // The right Content-Range, but a chunked body longer than it.
    "/lying-length": (request, response) => {
      if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
      const [first, last] = askedRange(request, bytes.length) ?? [0, bytes.length - 1];
      response.statusCode = 206;
      response.setHeader("content-range", `bytes ${first}-${last}/${bytes.length}`);
      response.write(bytes.subarray(first, last + 1));
      response.end(new Uint8Array(16));
    },
    // The same, with the extra bytes sent only when the test says (releaseExtra): after a view
    // of the range has completed, so they cannot arrive in the range's chunk.
    "/lying-length-later": (request, response) => {
      if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
      const [first, last] = askedRange(request, bytes.length) ?? [0, bytes.length - 1];
      response.statusCode = 206;
      response.setHeader("content-range", `bytes ${first}-${last}/${bytes.length}`);
      response.write(bytes.subarray(first, last + 1));
      void extraReleased.then(() => response.end(new Uint8Array(16)));
    },
    // Headers of a GET, then nothing: the body never comes.
    "/stall-body": (request, response) => {
      if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
      const [first, last] = askedRange(request, bytes.length) ?? [0, bytes.length - 1];
      response.statusCode = 206;
      response.setHeader("content-range", `bytes ${first}-${last}/${bytes.length}`);
      response.setHeader("content-length", last - first + 1);
      response.flushHeaders();
    },
    // A GET is never answered at all.
    "/stall-headers": (request, response) => {
      if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
    },
    // A correct server whose file changes on bumpVersion(): If-Match and If-Unmodified-Since honoured.
    "/changes": (request, response) => {
      const ifMatch = request.headers["if-match"];
      const ifUnmodified = request.headers["if-unmodified-since"];
      if ((ifMatch !== undefined && ifMatch !== etagOf()) || (ifUnmodified !== undefined && ifUnmodified !== dateOf())) {
        response.statusCode = 412;
        return void response.end();
      }
      serveCorrectly(request, response, bytes, { etag: etagOf(), "last-modified": dateOf() });
    },
    // The same, from a server that ignores the preconditions but names the new version.
    "/changes-unchecked": (request, response) => serveCorrectly(request, response, bytes, { etag: etagOf() }),
    // Only Last-Modified, weak ETag: the version is checked by date.
    "/changes-weak": (request, response) => {
      const ifUnmodified = request.headers["if-unmodified-since"];
      if (ifUnmodified !== undefined && ifUnmodified !== dateOf()) {
        response.statusCode = 412;
        return void response.end();
      }
      serveCorrectly(request, response, bytes, { etag: `W/"${version}"`, "last-modified": dateOf() });
    },
    "/loop-a": (_request, response) => redirect(response, "/loop-b"),
    "/loop-b": (_request, response) => redirect(response, "/loop-a"),
    "/hop-1": (_request, response) => redirect(response, "/hop-2", 301),
    "/hop-2": (_request, response) => redirect(response, "/ok", 307),
    "/chain-1": (_request, response) => redirect(response, "/chain-2"),
    "/chain-2": (_request, response) => redirect(response, "/chain-3"),
    "/chain-3": (_request, response) => redirect(response, "/ok"),
    // A redirect to a signed target that expires (as object stores and CDNs do).
    "/expiring": (_request, response) => redirect(response, `/signed?sig=${signature}`),
    "/signed": (request, response) => {
      if (new URL(request.url ?? "/", "http://x").searchParams.get("sig") !== String(signature)) {
        response.statusCode = 403;
        return void response.end("expired");
      }
      serveCorrectly(request, response, bytes);
    },
    "/to-other-origin": (_request, response) => redirect(response, `${options.redirectTo ?? "http://127.0.0.1:1/"}auth-echo`),
    // 200 with the whole body, whatever the Range; the body is made on the fly, 32 MiB.
    "/ignore-range": (request, response) => {
      const size = IGNORED_SIZE;
      response.setHeader("content-length", size);
      if (request.method === "HEAD") return void response.end();
      let sent = 0;
      const piece = new Uint8Array(64 * 1024);
      const pump = (): void => {
        while (sent < size) {
          for (let index = 0; index < piece.length; index++) piece[index] = patternByte(sent + index);
          sent += piece.length;
          ignoredSent += piece.length;
          if (!response.write(piece)) return void response.once("drain", pump);
        }
        response.end();
      };
      response.once("close", () => response.removeAllListeners("drain"));
      pump();
    },
    // 503 (Retry-After: 0) twice, then correct.
    "/flaky": (request, response) => {
      if (countGets("/flaky") <= 2 && request.method === "GET") {
        response.statusCode = 503;
        response.setHeader("retry-after", "0");
        return void response.end("busy");
      }
      serveCorrectly(request, response, bytes);
    },
    "/always-500": (request, response) => {
      if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
      response.statusCode = 500;
      response.end("broken");
    },
    "/head-405": (request, response) => {
      if (request.method === "HEAD") {
        response.statusCode = 405;
        return void response.end();
      }
      serveCorrectly(request, response, bytes);
    },
    "/head-403-get-403": (_request, response) => {
      response.statusCode = 403;
      response.end();
    },
    "/needs-auth": (request, response) => {
      if (request.headers.authorization !== "Bearer secret") {
        response.statusCode = 401;
        return void response.end();
      }
      serveCorrectly(request, response, bytes);
    },
    "/presigned": (request, response) => {
      const query = new URL(request.url ?? "/", "http://x").searchParams;
      if (query.get("X-Signature") !== "abc=/+") {
        response.statusCode = 403;
        return void response.end();
      }
      serveCorrectly(request, response, bytes);
    },
    "/auth-echo": (request, response) => serveCorrectly(request, response, bytes, { "x-saw-authorization": String(request.headers.authorization !== undefined) }),
    // HEAD says one length, every GET is 416: the file shrank and nothing says so.
    "/shrunk": (request, response) => {
      if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
      response.statusCode = 416;
      response.setHeader("content-range", "bytes */0");
      response.end();
    },
  };

  const gets = new Map<string, number>();
  function countGets(path: string): number {
    return gets.get(path) ?? 0;
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    const key = url.pathname + url.search;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    if (request.method === "GET") gets.set(url.pathname, (gets.get(url.pathname) ?? 0) + 1);
    log.push({
      method: request.method ?? "",
      path: key,
      range: request.headers.range,
      ifMatch: request.headers["if-match"] as string | undefined,
      ifUnmodifiedSince: request.headers["if-unmodified-since"],
      authorization: request.headers.authorization,
    });
    const route = routes[url.pathname];
    if (route === undefined) {
      response.statusCode = 404;
      return void response.end();
    }
    route(request, response, hits.get(key) ?? 0);
  });
  const running = await listen(server);
  return {
    ...running,
    log,
    count: (path) => hits.get(path) ?? 0,
    ignoredRangeBytesSent: () => ignoredSent,
    bumpVersion: () => void version++,
    rotateSignature: () => void signature++,
    releaseExtra,
  };
}

/** The length of `/ignore-range`'s body. */
export const IGNORED_SIZE = 32 * 1024 * 1024;

/** Byte `index` of `/ignore-range`'s body. */
export function patternByte(index: number): number {
  return (index * 31 + (index >>> 11)) & 0xff;
}

function redirect(response: ServerResponse, location: string, status = 302): void {
  response.statusCode = status;
  response.setHeader("location", location);
  response.end();
}

function dropMidBody(request: IncomingMessage, response: ServerResponse, bytes: Uint8Array): void {
  if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
  const [first, last] = askedRange(request, bytes.length) ?? [0, bytes.length - 1];
  const length = last - first + 1;
  response.statusCode = 206;
  response.setHeader("content-range", `bytes ${first}-${last}/${bytes.length}`);
  response.setHeader("content-length", length);
  const half = Math.max(1, Math.floor(length / 2));
  // The first half is on the wire before the socket goes: the client must keep it and ask for the rest.
  response.write(bytes.subarray(first, first + half), () => response.socket?.destroy());
}

function shortBody(request: IncomingMessage, response: ServerResponse, bytes: Uint8Array): void {
  if (request.method === "HEAD") return serveCorrectly(request, response, bytes);
  const [first, last] = askedRange(request, bytes.length) ?? [0, bytes.length - 1];
  const length = last - first + 1;
  response.statusCode = 206;
  response.setHeader("content-range", `bytes ${first}-${last}/${bytes.length}`);
  // No Content-Length (a write before end makes it chunked): ending early is a clean end of a body that is too short.
  response.write(bytes.subarray(first, first + Math.max(0, Math.floor(length / 2))));
  response.end();
}
