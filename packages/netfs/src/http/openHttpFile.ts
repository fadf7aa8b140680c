/**
 * `openHttpFile(url, options)`: finds the remote file's length and version (HEAD, or a first
 * ranged GET where HEAD is refused or says no length, as for presigned URLs signed for GET
 * only), then hands back an HttpFile. Network errors and 5xx/429 are retried as for ranges.
 */
import { IoError } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";
import { Agent, type Dispatcher } from "undici";
import { discardBody } from "./discardBody.js";
import { HttpFile } from "./HttpFile.js";
import { HttpFileOptions, type ResolvedHttpFileOptions } from "./HttpFileOptions.js";
import { invalidData, isRetryableError, isRetryableStatus, networkError, statusError, withAttempts } from "./httpErrors.js";
import { redactUrl } from "./redactUrl.js";
import { knownVersion, versionOf, type RemoteVersion } from "./RemoteVersion.js";
import { retryDelay, sleep } from "./retry.js";
import { headerValue, sendRequest, type Answer } from "./sendRequest.js";

/** Statuses of a HEAD after which a ranged GET is tried instead (HEAD not allowed, or not signed). */
const HEAD_REFUSED = new Set([400, 403, 405, 501]);

/**
 * Opens a remote file for reading over HTTP(S) Range requests. Rejects with an IoError: the
 * status's kind (404 NotFound, 401/403 PermissionDenied, …), the network's (Refused,
 * HostNotFound, TimedOut) or InvalidInput for a bad URL or option.
 */
export async function openHttpFile(url: string | URL, options?: HttpFileOptions): Promise<HttpFile> {
  const parsed = parseOptions(HttpFileOptions, options, "openHttpFile options");
  const target = checkUrl(url);
  const userHeaders = { ...parsed.headers };
  // user:password in the URL becomes Basic authentication and leaves the URL (and every message).
  if ((target.username !== "" || target.password !== "") && !Object.keys(userHeaders).some((name) => name.toLowerCase() === "authorization")) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    userHeaders["authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
  }
  target.username = "";
  target.password = "";
  const ownsDispatcher = parsed.dispatcher === undefined;
  const dispatcher =
    parsed.dispatcher ??
    new Agent({
      connections: parsed.connections,
      pipelining: parsed.pipelining,
      allowH2: parsed.http2,
      headersTimeout: parsed.headersTimeoutMs,
      bodyTimeout: parsed.bodyTimeoutMs,
      ...(parsed.tls === undefined ? {} : { connect: { ...(parsed.tls.ca === undefined ? {} : { ca: parsed.tls.ca }), ...(parsed.tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: parsed.tls.rejectUnauthorized }) } }),
    });
  const where = redactUrl(target);
  try {
    const given = parsed.version;
    const { version, resolved } =
      given === undefined ? await probe(target, where, parsed, dispatcher, userHeaders) : { version: knownVersion(given.size, given.etag, given.lastModified), resolved: target };
    return new HttpFile({ url: target, resolved, where, version, options: parsed, dispatcher, ownsDispatcher, userHeaders });
  } catch (error) {
    if (ownsDispatcher) await dispatcher.destroy().catch(() => undefined);
    throw error;
  }
}

function checkUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url instanceof URL ? url.href : String(url));
  } catch (error) {
    throw new IoError("InvalidInput", `openHttpFile: url must be an absolute http(s) URL, got ${JSON.stringify(String(url))}`, { op: "open", backend: "http", cause: error });
  }
  if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError("openHttpFile: url must be a string or a URL");
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new IoError("InvalidInput", `openHttpFile: url must be http: or https:, got ${parsed.protocol}`, { op: "open", backend: "http" });
  }
  parsed.hash = "";
  return parsed;
}

/** HEAD, else a one-byte ranged GET: the length and the version, with retries. */
async function probe(url: URL, where: string, options: ResolvedHttpFileOptions, dispatcher: Dispatcher, userHeaders: Record<string, string>): Promise<{ version: RemoteVersion; resolved: URL }> {
  let method: "HEAD" | "GET" = "HEAD";
  const controller = new AbortController();
  for (let attempt = 1; ; attempt++) {
    let failure: { error: IoError; retryAfter?: string | undefined } | undefined;
    let answer: Answer | undefined;
    try {
      answer = await sendRequest(url, {
        dispatcher,
        method,
        userHeaders,
        userOrigin: url.origin,
        headers: method === "GET" ? { range: "bytes=0-0", "accept-encoding": "identity" } : { "accept-encoding": "identity" },
        maxRedirects: options.maxRedirects,
        headersTimeoutMs: options.headersTimeoutMs,
        bodyTimeoutMs: options.bodyTimeoutMs,
        signal: controller.signal,
        op: "open",
      });
    } catch (error) {
      const mapped = networkError(error, "open", where);
      if (!isRetryableError(mapped) || mapped.kind === "InvalidData") throw mapped;
      if (attempt > options.retries) throw attempt > 1 ? withAttempts(mapped, attempt) : mapped;
      failure = { error: mapped };
    }
    if (answer !== undefined) {
      const { response } = answer;
      const status = response.statusCode;
      const found = method === "HEAD" ? await readHead(response, where) : await readFirstByte(response, where);
      if (found !== undefined) return { version: found, resolved: answer.url };
      if (method === "HEAD" && (HEAD_REFUSED.has(status) || status === 200)) {
        // HEAD refused, or it gave no length: ask for the first byte instead, at once.
        method = "GET";
        attempt--;
        continue;
      }
      if (!isRetryableStatus(status) || attempt > options.retries) throw statusError(status, "open", where, attempt);
      failure = { error: statusError(status, "open", where), retryAfter: headerValue(response.headers, "retry-after") };
    }
    await sleep(retryDelay(attempt, failure?.retryAfter, options.retryDelayMs, options.maxRetryDelayMs), controller.signal);
  }
}

/** A 200 HEAD with a length gives the version; anything else undefined (the caller decides). */
async function readHead(response: Dispatcher.ResponseData, where: string): Promise<RemoteVersion | undefined> {
  await response.body.dump().catch(() => undefined);
  if (response.statusCode !== 200) return undefined;
  refuseEncoded(response, where);
  const length = parseLength(headerValue(response.headers, "content-length"));
  if (length === undefined) return undefined;
  return versionOf(length, response.headers);
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;
const UNSATISFIED_RANGE = /^bytes \*\/(\d+)$/;

/** The answer to `Range: bytes=0-0`: 206 and 416 name the length in Content-Range, 200 in Content-Length. */
async function readFirstByte(response: Dispatcher.ResponseData, where: string): Promise<RemoteVersion | undefined> {
  const status = response.statusCode;
  // A 200 may be the whole file: never read it, just drop the connection.
  if (status === 200) discardBody(response);
  else await response.body.dump().catch(() => undefined);
  const contentRange = headerValue(response.headers, "content-range") ?? "";
  if (status === 206) {
    const range = CONTENT_RANGE.exec(contentRange);
    // The total must be a length we can use, and hold the byte sent (0-0 of an empty file is a lie).
    const total = range === null ? NaN : Number(range[3]);
    if (range === null || range[1] !== "0" || range[2] !== "0" || !Number.isSafeInteger(total) || total < 1) {
      throw invalidData("open", where, `HTTP 206 with Content-Range ${JSON.stringify(contentRange)} for bytes 0-0`);
    }
    return versionOf(total, response.headers);
  }
  if (status === 416) {
    const total = UNSATISFIED_RANGE.exec(contentRange);
    // An empty file cannot satisfy bytes=0-0; any other unsatisfiable answer is a lie.
    if (total === null || total[1] !== "0") throw invalidData("open", where, `HTTP 416 for bytes 0-0 with Content-Range ${JSON.stringify(contentRange)}`);
    return versionOf(0, response.headers);
  }
  if (status === 200) {
    refuseEncoded(response, where);
    const length = parseLength(headerValue(response.headers, "content-length"));
    if (length === undefined) throw new IoError("Unsupported", `open ${where}: the server sends no length (no Content-Length, no Range support)`, { op: "open", backend: "http", path: where });
    return versionOf(length, response.headers);
  }
  return undefined;
}

/**
 * A length sent with a Content-Encoding (gzip …) is the encoded body's, not the file's: the file's
 * size cannot be known from it, and the ranges would be of the encoded bytes.
 */
function refuseEncoded(response: Dispatcher.ResponseData, where: string): void {
  const encoding = headerValue(response.headers, "content-encoding");
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") throw invalidData("open", where, `the server sent the file with Content-Encoding ${JSON.stringify(encoding)}; its length is not the file's`);
}

function parseLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const length = Number(value);
  return Number.isSafeInteger(length) ? length : undefined;
}
