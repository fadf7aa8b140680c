/**
 * One WebDAV request through undici, its answer read with a bound. Redirects are not followed:
 * the methods here change state or name paths that must stay where they were asked (a 3xx is an
 * error with its status). Network failures become IoErrors through the HTTP part's one table.
 */
import { IoError, type IoErrorKind } from "@pktio/core";
import type { Dispatcher } from "undici";
import { kindOfStatus, networkError } from "../http/httpErrors.js";
import { redactUrl } from "../http/redactUrl.js";

/** Where requests go and how: what every request of one Fs shares. */
export interface DavClient {
  readonly dispatcher: Dispatcher;
  readonly headers: Record<string, string>;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly maxListingBytes: number;
  /** How the requests that only read are repeated (WebDavFsOptions: retries, retryDelayMs, maxRetryDelayMs). */
  readonly retry: { readonly retries: number; readonly retryDelayMs: number; readonly maxRetryDelayMs: number };
}

/** A request: method, URL, headers and an optional body. */
export interface DavCall {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** The operation named in errors ("stat", "mkdir", …). */
  readonly op: string;
}

/** A response: its status, headers and body (as text and as bytes, or empty when not read). */
export interface DavAnswer {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData["headers"];
  readonly body: string;
  readonly bytes: Buffer;
}

export const BACKEND = "webdav";

/** Sends `call`; reads the body only when `readBody` (up to `fileLimit` for a file's body, else `maxListingBytes`), else drops it. */
export async function davRequest(client: DavClient, call: DavCall, readBody = false, fileLimit?: number): Promise<DavAnswer> {
  const limit = fileLimit ?? client.maxListingBytes;
  const where = redactUrl(call.url);
  let response: Dispatcher.ResponseData;
  try {
    response = await client.dispatcher.request({
      origin: call.url.origin,
      path: call.url.pathname + call.url.search,
      method: call.method as Dispatcher.HttpMethod,
      headers: { ...client.headers, ...call.headers },
      body: call.body === undefined ? null : typeof call.body === "string" ? call.body : Buffer.from(call.body.buffer, call.body.byteOffset, call.body.byteLength),
      headersTimeout: client.headersTimeoutMs,
      bodyTimeout: client.bodyTimeoutMs,
    });
  } catch (error) {
    throw networkError(error, call.op, where);
  }
  if (!readBody) {
    await response.body.dump().catch(() => undefined);
    return { status: response.statusCode, headers: response.headers, body: "", bytes: Buffer.alloc(0) };
  }
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > limit) {
        response.body.destroy();
        throw answerTooLarge(call, where, limit, fileLimit === undefined);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw networkError(error, call.op, where);
  }
  const bytes = Buffer.concat(chunks);
  return { status: response.statusCode, headers: response.headers, body: bytes.toString("utf8"), bytes };
}

/** The IoError of an unexpected status; `kinds` overrides the general table for this method (409 → NotFound for MKCOL, …). */
/**
 * An answer past its limit: a listing past maxListingBytes is InvalidData (no listing is that
 * large); a file's body past maxWriteBytes (copyFile's GET where the server has no COPY) is
 * FileTooLarge, as a write of that size is.
 */
export function answerTooLarge(call: DavCall, where: string, limit: number, listing: boolean): IoError {
  if (listing) return new IoError("InvalidData", `${call.op} ${where}: the answer is larger than maxListingBytes (${limit} bytes)`, { op: call.op, backend: BACKEND, path: where });
  return new IoError("FileTooLarge", `${call.op} ${where}: the file is larger than maxWriteBytes (${limit} bytes), the most this client holds in memory to copy it (the server has no COPY)`, { op: call.op, backend: BACKEND, path: where });
}

export function davStatusError(answer: DavAnswer, call: DavCall, kinds: Partial<Record<number, IoErrorKind>> = {}): IoError {
  const kind = kinds[answer.status] ?? DAV_KINDS[answer.status] ?? kindOfStatus(answer.status);
  return new IoError(kind, `${call.op} ${redactUrl(call.url)}: HTTP ${answer.status}`, { op: call.op, backend: BACKEND, path: redactUrl(call.url) });
}

/** RFC 4918 §11 statuses, beyond the HTTP part's table. */
const DAV_KINDS: Partial<Record<number, IoErrorKind>> = {
  413: "FileTooLarge",
  415: "Unsupported",
  423: "Busy",
  507: "NoSpace",
  508: "FilesystemLoop",
};
