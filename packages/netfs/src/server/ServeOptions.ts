/** The options of `serveDirectory`, checked with zod (unknown keys are named). */
import type { Runtime } from "@pktio/core";
import { z } from "zod";

const bytes = z.union([z.string(), z.instanceof(Uint8Array)]);

export const ServeOptions = z
  .strictObject({
    /** The pktio runtime whose directory handle serves the files (`openRuntime()` from @pktio/rt); the caller closes it after the server. */
    runtime: z.custom<Runtime>((value) => typeof value === "object" && value !== null && "fs" in value, "must be a pktio Runtime"),
    /** Address to listen on; loopback by default. */
    host: z.string().min(1).default("127.0.0.1"),
    /** Port; 0 (the default) picks a free one (see `url`). */
    port: z.number().int().min(0).max(65535).default(0),
    /** A bearer token every request must present (`Authorization: Bearer …`); none by default. */
    token: z.string().min(1).max(4096).optional(),
    /** PEM key and certificate: serve HTTPS instead of HTTP. */
    tls: z.strictObject({ key: bytes, cert: bytes }).optional(),
    /** Refuse every method that changes the tree (403). */
    readOnly: z.boolean().default(false),
    /** Largest request head (request line and headers) in bytes; larger ones get 431. */
    maxHeaderBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
    /** Largest PUT body in bytes; larger ones get 413 and the connection is closed. */
    maxBodyBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(4 * 1024 * 1024 * 1024),
    /** Time to receive a request's head; a stalled one gets 408 and is closed. */
    headersTimeoutMs: z.number().int().min(1).default(10_000),
    /** Time to receive a whole request, body included. */
    requestTimeoutMs: z.number().int().min(1).default(300_000),
    /** A socket idle this long (no bytes either way) is closed. */
    idleTimeoutMs: z.number().int().min(1).default(60_000),
    /** Receives one access-log line per request; none by default. Never sees the token. */
    log: z.custom<(line: string) => void>((value) => typeof value === "function", "must be a function").optional(),
  })
  .refine((options) => options.headersTimeoutMs <= options.requestTimeoutMs, { message: "headersTimeoutMs must not exceed requestTimeoutMs", path: ["headersTimeoutMs"] });

export type ServeOptions = z.input<typeof ServeOptions>;
export type ResolvedServeOptions = z.output<typeof ServeOptions>;
