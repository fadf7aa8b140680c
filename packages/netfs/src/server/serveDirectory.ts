/**
 * `serveDirectory(root, options)`: a directory over HTTP and WebDAV, on a pktio runtime. Files
 * are read and written through the runtime's directory handle for `root` (`rt.fs.openDir`), which
 * confines every path, symlinks included; request paths are checked before they reach it
 * (`requestPath.ts`). Node's HTTP server enforces the head size and the head and request
 * timeouts (a stalled or slow-loris request is answered 408 and closed), the PUT body limit is
 * ours. Each request gives one access-log line without the token or any header.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { type DirHandle, type Runtime } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";
import { bearerChecker } from "./bearerToken.js";
import { PathLocks } from "./PathLocks.js";
import { ALLOWED_METHODS, mkcol, move, options as answerOptions, remove, WRITE_METHODS } from "./davMethods.js";
import { Exchange } from "./Exchange.js";
import { getFile } from "./getFile.js";
import { propfind } from "./propfind.js";
import { patchFile } from "./patchFile.js";
import { putFile } from "./putFile.js";
import { copyResource } from "./copyResource.js";
import { lingerClose } from "./lingerClose.js";
import { HttpRefusal } from "./readBody.js";
import { BadPath, rootPath } from "./requestPath.js";
import { ServeOptions, type ResolvedServeOptions } from "./ServeOptions.js";

/** A started server. */
export interface DirectoryServer {
  /** The base URL, e.g. `http://127.0.0.1:39811/`. */
  readonly url: string;
  /** The directory served (as given). */
  readonly root: string;
  /** The runtime's backend that does the file I/O. */
  readonly backend: string;
  /** Stops listening, ends every connection, releases the directory handle (not the runtime). Idempotent. */
  close(): Promise<void>;
}

type Handler = (exchange: Exchange) => Promise<void> | void;

const HANDLERS: Record<string, Handler> = {
  GET: getFile,
  HEAD: getFile,
  PUT: putFile,
  PATCH: patchFile,
  PROPFIND: propfind,
  MKCOL: mkcol,
  MOVE: move,
  COPY: copyResource,
  DELETE: remove,
  OPTIONS: answerOptions,
};

/** Serves `root` through `options.runtime` until `close()`; resolves once it listens. */
export async function serveDirectory(root: string, options: ServeOptions): Promise<DirectoryServer> {
  const resolved = parseOptions(ServeOptions, options, "serveDirectory options");
  const runtime: Runtime = resolved.runtime;
  const dir: DirHandle = await runtime.fs.openDir(root);
  const authorized = resolved.token === undefined ? () => true : bearerChecker(resolved.token);
  const settings: AnswerSettings = { ...resolved, locks: new PathLocks() };
  // `answer` settles every failure itself; one that escapes it (a broken socket) ends the connection.
  // Requests being answered: close() waits for them after it drops their connections, so that
  // a PUT cut short removes its upload file before the directory (and the runtime) go away.
  const answering = new Set<Promise<void>>();
  // RFC 9112 §9.3.2: requests pipelined on one connection may run in parallel only if all are
  // safe; Node hands them over as they are parsed, so each waits for the one before it on its
  // connection (a PUT then a GET of the same file gets the new file).
  const lastOnConnection = new WeakMap<object, Promise<void>>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const before = lastOnConnection.get(req.socket);
    const run = (): Promise<void> => answer(req, res, dir, settings, authorized).catch(() => void res.destroy());
    const answered = before === undefined ? run() : before.then(run);
    lastOnConnection.set(req.socket, answered);
    answering.add(answered);
    void answered.finally(() => answering.delete(answered));
  };
  const serverOptions = {
    maxHeaderSize: resolved.maxHeaderBytes,
    headersTimeout: resolved.headersTimeoutMs,
    requestTimeout: resolved.requestTimeoutMs,
    // Node checks the two timeouts above on this interval (30 s by default).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(resolved.headersTimeoutMs / 4))),
    keepAliveTimeout: Math.min(5000, resolved.idleTimeoutMs),
  };
  const server: Server = resolved.tls === undefined ? createHttpServer(serverOptions, handle) : createHttpsServer({ ...serverOptions, key: pem(resolved.tls.key), cert: pem(resolved.tls.cert) }, handle);
  server.setTimeout(resolved.idleTimeoutMs, (socket) => socket.destroy());
  // `Expect: 100-continue`: a client is told to send its body only when it may (authorized, within the limit).
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers["content-length"] ?? "0");
    if (authorized(req.headers.authorization) && !(length > resolved.maxBodyBytes)) res.writeContinue();
    handle(req, res);
  });
  // A malformed request never reaches the handler: answer 400 and close, as Node would.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.destroyed) socket.end(error.code === "HPE_HEADER_OVERFLOW" ? "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\r\n" : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n\r\n" : "HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await dir.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `${resolved.tls === undefined ? "http" : "https"}://${host}:${address.port}/`,
    root,
    backend: runtime.backend,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        // Their connections are gone: each handler ends at once (a PUT's body fails, its upload
        // file is removed), and none can start now.
        await Promise.allSettled([...answering]);
        await dir.close();
      })();
      return closing;
    },
  };
}

/** The options a request is answered with, and the server's per-path locks. */
type AnswerSettings = ResolvedServeOptions & { readonly locks: PathLocks };

async function answer(req: IncomingMessage, res: ServerResponse, dir: DirHandle, options: AnswerSettings, authorized: (header: string | undefined) => boolean): Promise<void> {
  const started = performance.now();
  const target = req.url ?? "/";
  // Read now: the socket is detached from the request by the time it closes.
  const remote = req.socket.remoteAddress ?? "-";
  // Answers before the path is checked (401, 405, 400) go through `early`.
  const early = new Exchange(req, res, { names: [], relative: ".", trailingSlash: true }, dir, options);
  let exchange: Exchange | undefined;
  res.on("close", () => options.log?.(accessLine(req, res, remote, target, (exchange ?? early).bytesSent, performance.now() - started)));
  try {
    if (!authorized(req.headers.authorization)) return early.status(401, { "www-authenticate": 'Bearer realm="pktio"' });
    const method = req.method ?? "";
    const handler = Object.hasOwn(HANDLERS, method) ? HANDLERS[method] : undefined;
    if (handler === undefined) return early.status(405, { allow: ALLOWED_METHODS });
    if (options.readOnly && WRITE_METHODS.has(method)) return early.status(403);
    // RFC 9112 §6.1: a transfer coding other than chunked (gzip, deflate …) would be stored coded.
    const coding = req.headers["transfer-encoding"];
    if (coding !== undefined && coding.trim().toLowerCase() !== "chunked") return early.status(501);
    // RFC 9110 §9.3.7: `OPTIONS *` asks about the server itself; the root's answer is that.
    if (method === "OPTIONS" && target === "*") return await handler(early);
    exchange = new Exchange(req, res, rootPath(target), dir, options);
    await handler(exchange);
  } catch (error) {
    const at = exchange ?? early;
    if (error instanceof BadPath) at.status(error.status);
    else if (error instanceof HttpRefusal) {
      // Refused before its body was read (413): the client may still be sending it.
      if (error.status === 413 && !req.complete) lingerClose(req, res);
      at.status(error.status, error.headers);
    }
    else at.fail(error);
  }
}

/** `2026-12-02T15:40:00.000Z 127.0.0.1 GET /a/b.txt 206 4096 1.2ms`: no query string, no header. */
function accessLine(req: IncomingMessage, res: ServerResponse, remote: string, target: string, bytes: number, ms: number): string {
  const query = target.search(/[?#]/);
  const path = (query < 0 ? target : target.slice(0, query)).replace(/[\u0000-\u0020\u007f-\u00a0]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`);
  const status = res.headersSent ? res.statusCode : 0;
  return `${new Date().toISOString()} ${remote} ${req.method ?? "-"} ${path} ${status} ${bytes} ${ms.toFixed(1)}ms`;
}

function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
