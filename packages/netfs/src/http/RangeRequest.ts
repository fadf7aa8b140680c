/**
 * One planned range `[start, end)` of a remote file and the views it serves, carried to the end:
 * a ranged GET, every response checked against what was asked (status, Content-Range, length,
 * encoding, the version captured at open), bytes copied into the views as they arrive (a view
 * completes as soon as its last byte is in, except those ending where a 206 ends: they wait for
 * the end of its body, which must not go on past the range), and on a retryable failure another
 * attempt for only the bytes still missing. Every part is settled exactly once, whatever happens.
 */
import { IoError, type BoundPacketView, type Write } from "@pktio/core";
import { detachedError } from "@pktio/core/backend";
import type { Dispatcher } from "undici";
import { discardBody } from "./discardBody.js";
import { invalidData, isRetryableError, isRetryableStatus, networkError, staleError, statusError, withAttempts } from "./httpErrors.js";
import type { ResolvedHttpFileOptions } from "./HttpFileOptions.js";
import type { Placed } from "./planRanges.js";
import { retryDelay, sleep } from "./retry.js";
import { headerValue, sendRequest, type Answer } from "./sendRequest.js";
import { checkVersion, type RemoteVersion } from "./RemoteVersion.js";

/** Counters of what went over the wire, for tests and benchmarks. */
export interface HttpFileStats {
  /** Responses received for ranged GETs (redirect hops not counted). */
  requests: number;
  /** Body bytes received, gap bytes and bytes skipped on a server that ignores Range included. */
  bytesReceived: number;
  /** Attempts after the first. */
  retries: number;
  /** Responses that ignored Range (200 with the whole body). */
  ignoredRange: number;
}

/** What every request of one file shares. */
export interface RangeSource {
  /** The URL the caller opened. */
  readonly url: URL;
  /** Where its redirects led last; ranges go there first. */
  readonly location: { current: URL };
  /** The URL as messages show it (no credentials, no query). */
  readonly where: string;
  readonly version: RemoteVersion;
  readonly options: ResolvedHttpFileOptions;
  readonly dispatcher: Dispatcher;
  readonly userHeaders: Record<string, string>;
  readonly stats: HttpFileStats;
}

/** A view waiting for, or being served by, a request. */
export interface Part extends Placed {
  readonly view: BoundPacketView<Write>;
  readonly bytes: Uint8Array;
  /** Bytes already copied in from the front. */
  filled: number;
  settled: boolean;
  request: RangeRequest | undefined;
  /** Removes the abort listener on the view's signal. */
  unlisten: (() => void) | undefined;
}

/**
 * Settles a part once: completes it, or fails it with `error`. Later calls do nothing. `external`
 * is true when the part was settled from outside its request (its signal fired, the file closed):
 * once every part of a request is, the request is abandoned.
 */
export function settlePart(part: Part, error?: IoError, external = false): void {
  if (part.settled) return;
  part.settled = true;
  part.unlisten?.();
  // A part held whole until its 206 ends (RangeRequest's atEnd) has every byte: it completes.
  if (error === undefined || part.filled === part.length) part.view.complete();
  else if (part.filled > 0) {
    // The front arrived: it is the caller's; only the rest failed.
    const [head, tail] = part.view.splitAt(part.filled);
    head.complete();
    tail.fail(error);
  } else part.view.fail(error);
  part.request?.partSettled(external);
}

/** Why an attempt stopped short, and whether another may cure it. */
interface Failure {
  readonly error: IoError;
  readonly retry: boolean;
  readonly retryAfter?: string | undefined;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;
/** Statuses after which a redirect target is given up for the URL opened (once per attempt). */
const REFUSED_TARGET = new Set([401, 403, 404, 410]);
const UNSATISFIED_RANGE = /^bytes \*\/(\d+)$/;

export class RangeRequest {
  readonly parts: Part[];
  readonly #source: RangeSource;
  readonly #controller = new AbortController();
  #open: number;

  constructor(source: RangeSource, parts: Part[]) {
    this.#source = source;
    this.parts = parts;
    this.#open = parts.length;
    for (const part of parts) part.request = this;
  }

  /**
   * Called by `settlePart`. When the last part was settled from outside (aborts, close), nobody
   * wants the rest of the response: the request is abandoned, and undici drops its connection.
   */
  partSettled(external: boolean): void {
    if (--this.#open === 0 && external) this.#controller.abort();
  }

  /** Fails every part still waiting (file close) and stops the request. */
  failAll(error: IoError): void {
    for (const part of this.parts) settlePart(part, error, true);
  }

  /** Runs attempts until every part is settled; never rejects. */
  async run(): Promise<void> {
    const { options } = this.#source;
    for (let attempt = 1; ; attempt++) {
      const remaining = this.parts.filter((part) => !part.settled);
      if (remaining.length === 0 || this.#controller.signal.aborted) return;
      let failure: Failure | undefined;
      try {
        failure = await this.#attempt(remaining);
      } catch (error) {
        failure = { error: networkError(error, "read", this.#source.where), retry: false };
      }
      if (failure === undefined) continue;
      if (this.#controller.signal.aborted) return;
      if (!failure.retry || attempt > options.retries) {
        const error = attempt > 1 ? withAttempts(failure.error, attempt) : failure.error;
        for (const part of remaining) settlePart(part, error);
        return;
      }
      this.#source.stats.retries++;
      await sleep(retryDelay(attempt, failure.retryAfter, options.retryDelayMs, options.maxRetryDelayMs), this.#controller.signal);
    }
  }

  /** One GET for the bytes `remaining` still lack: undefined when it settled them all. */
  async #attempt(remaining: Part[]): Promise<Failure | undefined> {
    const source = this.#source;
    const { where, version, options } = source;
    let start = Infinity;
    let end = 0;
    for (const part of remaining) {
      start = Math.min(start, part.pos + part.filled);
      end = Math.max(end, part.pos + part.length);
    }
    const send = async (from: URL): Promise<Answer | Failure> => {
      try {
        return await sendRequest(from, {
          dispatcher: source.dispatcher,
          method: "GET",
          userHeaders: source.userHeaders,
          userOrigin: source.url.origin,
          headers: { range: `bytes=${start}-${end - 1}`, "accept-encoding": "identity", ...version.conditions },
          maxRedirects: options.maxRedirects,
          headersTimeoutMs: options.headersTimeoutMs,
          bodyTimeoutMs: options.bodyTimeoutMs,
          signal: this.#controller.signal,
          op: "read",
        });
      } catch (error) {
        const mapped = networkError(error, "read", where);
        return { error: mapped, retry: isRetryableError(mapped) && mapped.kind !== "InvalidData" };
      }
    };
    const from = source.location.current;
    let answer = await send(from);
    if ("response" in answer && REFUSED_TARGET.has(answer.response.statusCode) && from.href !== source.url.href) {
      // Where the redirects led refuses now (a signed target that expired): ask the URL opened again.
      await answer.response.body.dump().catch(() => undefined);
      answer = await send(source.url);
    }
    if (!("response" in answer)) return answer;
    source.location.current = answer.url;
    const { response } = answer;
    source.stats.requests++;
    const status = response.statusCode;
    if (status !== 206 && status !== 200) {
      await response.body.dump().catch(() => undefined);
      if (status === 416) {
        const total = UNSATISFIED_RANGE.exec(headerValue(response.headers, "content-range") ?? "")?.[1];
        const detail = total === undefined ? "" : ` (the server says it is ${total} bytes now)`;
        const error = new IoError("UnexpectedEof", `read ${where}: bytes ${start}-${end - 1} are past the end of the remote file${detail}`, { op: "read", backend: "http", path: where });
        for (const part of remaining) settlePart(part, error);
        return undefined;
      }
      if (status === 412) return { error: staleError("read", where, "the server refused the version check: HTTP 412"), retry: false };
      return { error: statusError(status, "read", where), retry: isRetryableStatus(status), retryAfter: headerValue(response.headers, "retry-after") };
    }
    const versionError = checkVersion(version, response.headers, "read", where);
    if (versionError !== undefined) return this.#reject(response, versionError);
    const encoding = headerValue(response.headers, "content-encoding");
    if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
      return this.#reject(response, invalidData("read", where, `the server sent Content-Encoding ${JSON.stringify(encoding)} though asked for identity`));
    }
    const declaredLength = headerValue(response.headers, "content-length");
    let offset: number;
    if (status === 206) {
      const range = CONTENT_RANGE.exec(headerValue(response.headers, "content-range") ?? "");
      if (range === null) return this.#reject(response, invalidData("read", where, `HTTP 206 with Content-Range ${JSON.stringify(headerValue(response.headers, "content-range") ?? null)} for bytes ${start}-${end - 1}`));
      const [first, last, total] = [Number(range[1]), Number(range[2]), range[3] === "*" ? undefined : Number(range[3])];
      if (total !== undefined && total !== version.size) return this.#reject(response, staleError("read", where, `its length went from ${version.size} to ${total}`));
      if (first !== start || last !== end - 1) return this.#reject(response, invalidData("read", where, `asked for bytes ${start}-${end - 1}, the server answered bytes ${first}-${last}`));
      if (declaredLength !== undefined && Number(declaredLength) !== end - start) return this.#reject(response, invalidData("read", where, `Content-Length ${declaredLength} for a range of ${end - start} bytes`));
      offset = start;
    } else {
      // The server ignored Range: the whole body streams past, only the wanted bytes are kept.
      if (declaredLength !== undefined && Number(declaredLength) !== version.size) return this.#reject(response, staleError("read", where, `its length went from ${version.size} to ${declaredLength}`));
      source.stats.ignoredRange++;
      offset = 0;
    }
    return this.#receive(response, remaining, offset, start, end, status === 200);
  }

  /** Copies the body into the parts; undefined once they are all settled. */
  async #receive(response: Dispatcher.ResponseData, remaining: Part[], offset: number, start: number, end: number, wholeBody: boolean): Promise<Failure | undefined> {
    const { where, stats } = this.#source;
    let at = offset;
    let first = 0;
    // The parts that end where a 206 ends, filled but held until its body ends: a body that goes
    // on past the range (in a later chunk as well as in the same one) fails them whole.
    const atEnd: Part[] = [];
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        stats.bytesReceived += chunk.byteLength;
        const chunkStart = at;
        at += chunk.byteLength;
        if (!wholeBody && at > end) {
          for (const part of atEnd) part.filled = 0;
          return this.#reject(response, invalidData("read", where, `the body of bytes ${start}-${end - 1} goes on past ${end}`));
        }
        for (let index = first; index < remaining.length; index++) {
          const part = remaining[index] as Part;
          if (part.pos >= at) break;
          if (part.settled) continue;
          const from = part.pos + part.filled;
          if (from >= at || from < chunkStart) continue;
          const take = Math.min(part.pos + part.length, at) - from;
          if (part.view.detached) {
            // The caller detached its buffer mid-read: that part fails alone, the others go on.
            settlePart(part, detachedError("read", "http", "while the read was in flight"));
            continue;
          }
          part.bytes.set(chunk.subarray(from - chunkStart, from - chunkStart + take), part.filled);
          part.filled += take;
          if (part.filled === part.length) {
            if (!wholeBody && part.pos + part.length === end) atEnd.push(part);
            else settlePart(part);
          }
        }
        while (first < remaining.length && (remaining[first] as Part).settled) first++;
        // Every view is settled. A 206 that has reached its end is read to the end event, so the
        // connection stays reusable; the rest of one that has not (its last views were aborted)
        // is not wanted, nor is a whole body: dropped here, with the connection.
        if (first === remaining.length && (wholeBody || at < end)) {
          discardBody(response);
          return undefined;
        }
      }
    } catch (error) {
      if (this.#controller.signal.aborted) return undefined;
      // Every byte of the range had come: what failed after it is not the range's.
      if (at === end) for (const part of atEnd) settlePart(part);
      const mapped = networkError(error, "read", where);
      return { error: mapped, retry: isRetryableError(mapped) };
    }
    for (const part of atEnd) settlePart(part);
    while (first < remaining.length && (remaining[first] as Part).settled) first++;
    if (first === remaining.length) return undefined;
    // The body ended early: the bytes that came are kept, the rest is asked for again.
    return { error: invalidData("read", where, `the body of bytes ${start}-${end - 1} ended after ${at - offset} bytes`), retry: true };
  }

  async #reject(response: Dispatcher.ResponseData, error: IoError): Promise<Failure> {
    discardBody(response);
    return { error, retry: false };
  }
}
