/**
 * One GET or HEAD through undici, following redirects by hand: bounded (`maxRedirects`), a loop
 * fails at once with kind FilesystemLoop (a redirect is the web's symlink), and the caller's
 * headers (Authorization) go only to the origin the caller opened, as fetch does. The
 * query string of every URL is kept as given, so presigned URLs work.
 */
import { IoError } from "@pktio/core";
import type { Dispatcher } from "undici";
import { networkError } from "./httpErrors.js";
import { redactUrl } from "./redactUrl.js";

/** What one request needs besides its URL. */
export interface RequestSpec {
  readonly dispatcher: Dispatcher;
  readonly method: "GET" | "HEAD";
  /** The caller's headers: sent to `userOrigin` only (the origin of the URL the caller opened). */
  readonly userHeaders: Record<string, string>;
  readonly userOrigin: string;
  /** pktio's own headers (Range, If-Match): sent on every hop. */
  readonly headers: Record<string, string>;
  readonly maxRedirects: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly op: string;
}

/** A final (non-redirect) response and the URL that gave it. */
export interface Answer {
  readonly url: URL;
  readonly response: Dispatcher.ResponseData;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sends the request and follows redirects; rejects with an IoError (network failure, redirect loop). */
export async function sendRequest(start: URL, spec: RequestSpec): Promise<Answer> {
  const seen = new Set<string>();
  let url = start;
  for (let hop = 0; ; hop++) {
    seen.add(url.href);
    const sameOrigin = url.origin === spec.userOrigin;
    let response: Dispatcher.ResponseData;
    try {
      response = await spec.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: spec.method,
        headers: sameOrigin ? { ...spec.userHeaders, ...spec.headers } : { ...spec.headers },
        signal: spec.signal,
        headersTimeout: spec.headersTimeoutMs,
        bodyTimeout: spec.bodyTimeoutMs,
      });
    } catch (error) {
      throw networkError(error, spec.op, redactUrl(url));
    }
    if (!REDIRECTS.has(response.statusCode)) return { url, response };
    // A redirect's own body is never wanted; dump() reads at most a little and frees the connection.
    await response.body.dump().catch(() => undefined);
    const location = headerValue(response.headers, "location");
    if (location === undefined) {
      throw new IoError("InvalidData", `${spec.op} ${redactUrl(url)}: HTTP ${response.statusCode} without a Location`, { op: spec.op, backend: "http", path: redactUrl(url) });
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch (error) {
      throw new IoError("InvalidData", `${spec.op} ${redactUrl(url)}: redirect to an invalid URL`, { op: spec.op, backend: "http", path: redactUrl(url), cause: error });
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new IoError("Unsupported", `${spec.op} ${redactUrl(url)}: redirect to ${next.protocol} is not followed`, { op: spec.op, backend: "http", path: redactUrl(url) });
    }
    if (seen.has(next.href) || hop + 1 > spec.maxRedirects) {
      const why = seen.has(next.href) ? "redirect loop" : `more than ${spec.maxRedirects} redirects`;
      throw new IoError("FilesystemLoop", `${spec.op} ${redactUrl(start)}: ${why} (at ${redactUrl(next)})`, { op: spec.op, backend: "http", path: redactUrl(start), code: "ERR_PKTIO_TOO_MANY_REDIRECTS" });
    }
    url = next;
  }
}

/** A response header as one string (undici gives arrays for repeated fields; the first wins). */
export function headerValue(headers: Dispatcher.ResponseData["headers"], name: string): string | undefined {
  const value = headers[name];
  if (!Array.isArray(value)) return value;
  // A field sent twice is one list (RFC 9110 §5.3): the same value twice is that value; two
  // different Content-Ranges or ETags are no valid value at all, so the checks that parse or
  // compare them fail (InvalidData, Stale) instead of trusting the first.
  const distinct = [...new Set(value)];
  return distinct.length === 1 ? distinct[0] : distinct.join(", ");
}
