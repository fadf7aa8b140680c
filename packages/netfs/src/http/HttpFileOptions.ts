/**
 * The options of `openHttpFile`, checked with zod at the trust boundary (the caller's object):
 * unknown keys and out-of-range numbers are IoError kind InvalidInput naming the key.
 */
import { z } from "zod";
import type { Dispatcher } from "undici";

/** Headers pktio sets itself: a caller's value would break the range or version checks. */
const RESERVED_HEADERS = new Set(["range", "if-match", "if-unmodified-since", "if-range", "accept-encoding", "host", "content-length", "transfer-encoding", "connection"]);

/** A token as RFC 9110 defines a field name; values must not carry CR, LF or NUL. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[^\r\n\0]*$/;

const headers = z.record(z.string(), z.string()).superRefine((record, context) => {
  for (const [name, value] of Object.entries(record)) {
    if (!FIELD_NAME.test(name)) context.addIssue({ code: "custom", message: `header name ${JSON.stringify(name)} is not a valid field name`, path: [name] });
    else if (RESERVED_HEADERS.has(name.toLowerCase())) context.addIssue({ code: "custom", message: `header ${JSON.stringify(name)} is set by pktio (ranges and version checks) and cannot be given`, path: [name] });
    if (!FIELD_VALUE.test(value)) context.addIssue({ code: "custom", message: "header values must not contain CR, LF or NUL", path: [name] });
  }
});

/** An undici Dispatcher (Agent, Pool, Client, …) by shape, so that two copies of undici agree. */
const dispatcher = z.custom<Dispatcher>(
  (value) => typeof value === "object" && value !== null && typeof (value as Dispatcher).request === "function" && typeof (value as Dispatcher).dispatch === "function",
  { message: "must be an undici Dispatcher (Agent, Pool or Client)" },
);

const count = (min: number, max: number) => z.number().int().min(min).max(max);
const milliseconds = z.number().int().positive().max(2_147_483_647);

/** The zod schema of `openHttpFile`'s options (strict: unknown keys are refused). */
export const HttpFileOptions = z
  .strictObject({
    /** Extra request headers, e.g. `Authorization`; sent on every request to the first origin (dropped on a cross-origin redirect). */
    headers: headers.default({}),
    /** Plan near views into shared requests; false sends every view (or piece of a split one) as its own request. */
    coalesce: z.boolean().default(true),
    /** Views whose gap is at most this many bytes go in one request (the gap's bytes are read and dropped). 0 merges only adjacent views. */
    coalesceGap: count(0, 64 * 1024 * 1024).default(64 * 1024),
    /** A request asks for at most this many bytes; a larger view is split into several requests. */
    maxRequestBytes: count(1, 1 << 30).default(8 * 1024 * 1024),
    /** Requests this file keeps in flight at once (and connections per origin of its own agent); views beyond wait and are coalesced. */
    connections: count(1, 1024).default(32),
    /** HTTP/1.1 requests per connection at once; 1 (no pipelining) is the safe default. */
    pipelining: count(1, 64).default(1),
    /** Offer HTTP/2 (ALPN, over TLS) and use it where the server accepts. */
    http2: z.boolean().default(true),
    /** Redirects followed per request before failing with kind FilesystemLoop. */
    maxRedirects: count(0, 20).default(5),
    /** Extra attempts of a range after a network error, a 5xx or a 429. */
    retries: count(0, 20).default(3),
    /** The first retry waits this long; each next one twice as long, up to `maxRetryDelayMs`. */
    retryDelayMs: count(0, 60_000).default(50),
    /** The longest wait before a retry, also the cap on a server's Retry-After. */
    maxRetryDelayMs: count(0, 600_000).default(5_000),
    /** How long a request may wait for its response headers. */
    headersTimeoutMs: milliseconds.default(30_000),
    /** How long a response body may stall between two chunks. */
    bodyTimeoutMs: milliseconds.default(30_000),
    /** TLS settings of the file's own agent: extra trusted certificates (PEM) for a private server. */
    tls: z.strictObject({ ca: z.union([z.string(), z.array(z.string())]).optional(), rejectUnauthorized: z.boolean().optional() }).optional(),
    /**
     * The remote file's version when the caller already knows it (a WebDAV PROPFIND, a listing):
     * no HEAD is sent at open, and every range is held to it as to a version found by HEAD.
     */
    version: z
      .strictObject({
        size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        etag: z.string().regex(/^(W\/)?"[^"\r\n]*"$/, "must be a quoted entity tag").optional(),
        lastModified: z.string().refine((value) => !Number.isNaN(Date.parse(value)) && !/[\r\n]/.test(value), "must be an HTTP date").optional(),
      })
      .optional(),
    /** A dispatcher to share between files; the file then neither creates nor closes its own agent. */
    dispatcher: dispatcher.optional(),
  })
  .refine((options) => options.dispatcher === undefined || options.tls === undefined, { message: "tls applies to the file's own agent: configure it on the dispatcher you pass instead", path: ["tls"] })
  .describe("openHttpFile options");

/** What `openHttpFile` accepts (every key optional). */
export type HttpFileOptions = z.input<typeof HttpFileOptions>;
/** The options after defaults. */
export type ResolvedHttpFileOptions = z.output<typeof HttpFileOptions>;
