/** The options of `openWebDavFs`, checked with zod (unknown keys and bad values are named). */
import type { Dispatcher } from "undici";
import { z } from "zod";
import type { HttpFileOptions } from "../http/HttpFileOptions.js";

const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[^\r\n\0]*$/;
/** Headers the WebDAV methods set themselves. */
const RESERVED = new Set(["depth", "destination", "overwrite", "if-match", "if-none-match", "content-type", "content-length", "transfer-encoding", "host", "connection", "range"]);

const headers = z.record(z.string(), z.string()).superRefine((record, context) => {
  for (const [name, value] of Object.entries(record)) {
    if (!FIELD_NAME.test(name)) context.addIssue({ code: "custom", message: `header name ${JSON.stringify(name)} is not a valid field name`, path: [name] });
    else if (RESERVED.has(name.toLowerCase())) context.addIssue({ code: "custom", message: `header ${JSON.stringify(name)} is set by the WebDAV methods and cannot be given`, path: [name] });
    if (!FIELD_VALUE.test(value)) context.addIssue({ code: "custom", message: "header values must not contain CR, LF or NUL", path: [name] });
  }
});

const dispatcher = z.custom<Dispatcher>(
  (value) => typeof value === "object" && value !== null && typeof (value as Dispatcher).request === "function" && typeof (value as Dispatcher).dispatch === "function",
  { message: "must be an undici Dispatcher (Agent, Pool or Client)" },
);

export const WebDavFsOptions = z.strictObject({
  /** Extra headers on every request, e.g. `Authorization`. */
  headers: headers.default({}),
  /** A bearer token: sent as `Authorization: Bearer …` (instead of an Authorization header). */
  token: z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces").optional(),
  /** A dispatcher shared with other clients; without one the Fs makes its own agent and closes it in `close()`. */
  dispatcher: dispatcher.optional(),
  /** Options for the files opened for reading (`openHttpFile`): coalescing, splitting, retries… (headers and dispatcher come from here). */
  file: z
    .custom<Omit<HttpFileOptions, "headers" | "dispatcher">>((value) => typeof value === "object" && value !== null && !Array.isArray(value), "must be an object of openHttpFile options")
    .optional(),
  /** Largest PROPFIND answer read, in bytes (a directory of ~100 000 entries is ~40 MiB). */
  maxListingBytes: z.number().int().min(1024).max(1 << 30).default(64 * 1024 * 1024),
  /** Largest file a writable handle holds before its PUT (the whole file is sent at sync and close). */
  maxWriteBytes: z.number().int().min(0).max(2 ** 32).default(256 * 1024 * 1024),
  /**
   * Attempts after the first for the requests that only read (PROPFIND: stat, readDir, the
   * metadata of open) that fail on the network (reset, refused, timed out) or with 429, 500,
   * 502, 503 or 504. Requests that change state (PUT, MKCOL, MOVE, DELETE) are never repeated.
   */
  retries: z.number().int().min(0).max(20).default(3),
  /** The first retry waits this long; each next one twice as long, up to `maxRetryDelayMs` (a Retry-After is honoured up to the same cap). */
  retryDelayMs: z.number().int().min(0).max(60_000).default(50),
  maxRetryDelayMs: z.number().int().min(0).max(600_000).default(5_000),
  /** How long a request may wait for its response headers. */
  headersTimeoutMs: z.number().int().positive().max(2_147_483_647).default(30_000),
  /** How long a response body may stall between two chunks. */
  bodyTimeoutMs: z.number().int().positive().max(2_147_483_647).default(30_000),
});

export type WebDavFsOptions = z.input<typeof WebDavFsOptions>;
export type ResolvedWebDavFsOptions = z.output<typeof WebDavFsOptions>;
