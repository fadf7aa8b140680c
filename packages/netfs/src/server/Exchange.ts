/**
 * One request being answered: the request, the response, its checked path and the directory
 * handle it resolves against, plus the small helpers every handler uses to answer. Bodies of
 * error answers are the status line only: an IoError's message names server paths, which a
 * client has no business seeing.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import { IoError, type DirHandle, type IoErrorKind } from "@pktio/core";
import type { PathLocks } from "./PathLocks.js";
import type { RootPath } from "./requestPath.js";

/** The server's settings a handler consults. */
export interface ExchangeSettings {
  readonly readOnly: boolean;
  readonly maxBodyBytes: number;
  /** The server's per-path critical sections (a precondition and the change it guards). */
  readonly locks: PathLocks;
}

export class Exchange {
  /** Body bytes written so far (for the access log). */
  bytesSent = 0;
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: RootPath,
    readonly dir: DirHandle,
    readonly settings: ExchangeSettings,
  ) {}

  /** Answers with `status` and a one-line plain-text body (none for HEAD and bodiless statuses). */
  status(status: number, headers: Record<string, string | number> = {}): void {
    const body = status === 204 || status === 304 || this.req.method === "HEAD" ? "" : `${status} ${STATUS_CODES[status] ?? ""}\n`;
    this.send(status, body, { "content-type": "text/plain; charset=utf-8", ...headers });
  }

  /** Answers with a complete body. */
  send(status: number, body: string | Uint8Array, headers: Record<string, string | number>): void {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    const bodiless = status === 204 || status === 304;
    this.res.writeHead(status, bodiless ? headers : { ...headers, "content-length": bytes.length });
    this.bytesSent += this.req.method === "HEAD" ? 0 : bytes.length;
    this.res.end(this.req.method === "HEAD" ? undefined : bytes);
  }

  /** Answers a failure: an IoError by its kind, anything else as 500. */
  fail(error: unknown): void {
    this.status(IoError.is(error) ? statusOfKind(error.kind) : 500);
  }
}

const STATUS_BY_KIND: Partial<Record<IoErrorKind, number>> = {
  NotFound: 404,
  PermissionDenied: 403,
  Outside: 403,
  InvalidInput: 400,
  AlreadyExists: 405,
  // A path beneath a file names nothing (GET /a.txt/x): 404, as other servers answer. Where
  // RFC 4918 wants 409 (a PUT's or MKCOL's missing parent) the handler says so itself.
  NotADirectory: 404,
  IsADirectory: 405,
  DirectoryNotEmpty: 409,
  NoSpace: 507,
  FileTooLarge: 413,
  FilesystemLoop: 508,
  Busy: 503,
  TooManyOpenFiles: 503,
  TimedOut: 504,
  Unsupported: 501,
};

/** The HTTP status that answers a failure of `kind` (RFC 9110 and RFC 4918 §11). */
export function statusOfKind(kind: IoErrorKind): number {
  return STATUS_BY_KIND[kind] ?? 500;
}
