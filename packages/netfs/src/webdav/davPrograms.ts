/**
 * The WebDAV file-system operations written once, as programs: generators that yield the
 * requests they need and receive the answers (core's colorless-helper pattern, design.md §7).
 * `runDav` drives one with undici on the event loop, `runDavSync` with the blocking requester
 * (`SyncRequester`), so `stat` and `statSync` are the same code.
 */
import { IoError } from "@pktio/core";
import { redactUrl } from "../http/redactUrl.js";
import { isRetryableError, isRetryableStatus } from "../http/httpErrors.js";
import { retryDelay } from "../http/retry.js";
import { headerValue } from "../http/sendRequest.js";
import { BACKEND, davRequest, davStatusError, type DavAnswer, type DavCall, type DavClient } from "./davRequest.js";
import { pathOf, urlOf } from "./davPaths.js";
import { readMultistatus, type DavResource } from "./parseMultistatus.js";
import { XmlError } from "./parseXml.js";
import type { SyncRequester } from "./SyncRequester.js";

/** One request of a program: the call, and whether (and how much of) its body is wanted. */
export interface DavStep {
  readonly call: DavCall;
  readonly readBody: boolean;
  readonly limit?: number;
}

/** A WebDAV operation as a program returning `T`. */
export type DavProgram<T> = Generator<DavStep, T, DavAnswer>;

/** Methods that only read: repeating one changes nothing on the server. */
const SAFE_METHODS = new Set(["PROPFIND", "GET", "HEAD", "OPTIONS"]);

type Attempt = { readonly answer: DavAnswer; readonly error?: undefined } | { readonly answer?: undefined; readonly error: unknown };

/**
 * What attempt `attempt` of `step` leads to: its answer, or the wait before the next attempt;
 * throws the final error. Only safe methods are repeated, after a network failure another
 * attempt may cure or a status worth retrying (429, 5xx), at most `client.retry.retries` times.
 */
function judge(client: DavClient, step: DavStep, attempt: number, outcome: Attempt): { readonly answer: DavAnswer } | { readonly wait: number } {
  const { retries, retryDelayMs, maxRetryDelayMs } = client.retry;
  const again = attempt <= retries && SAFE_METHODS.has(step.call.method);
  if (outcome.answer !== undefined) {
    const { answer } = outcome;
    return again && isRetryableStatus(answer.status) ? { wait: retryDelay(attempt, headerValue(answer.headers, "retry-after"), retryDelayMs, maxRetryDelayMs) } : { answer };
  }
  const error = outcome.error;
  if (again && error instanceof IoError && isRetryableError(error) && error.kind !== "InvalidData") return { wait: retryDelay(attempt, undefined, retryDelayMs, maxRetryDelayMs) };
  // The final error of a step that was attempted more than once says so.
  if (attempt > 1 && error instanceof IoError && !error.message.includes(" attempts")) error.message += ` (after ${attempt} attempts)`;
  throw error;
}

/** Drives `program` with asynchronous requests (safe ones repeated as `client.retry` says). */
export async function runDav<T>(client: DavClient, program: DavProgram<T>): Promise<T> {
  let next = program.next();
  for (let attempt = 1; next.done !== true; attempt++) {
    const { call, readBody, limit } = next.value;
    const outcome = await davRequest(client, call, readBody, limit).then((answer): Attempt => ({ answer }), (error: unknown): Attempt => ({ error }));
    const verdict = judge(client, next.value, attempt, outcome);
    if ("wait" in verdict) await new Promise((resolve) => setTimeout(resolve, verdict.wait));
    else [next, attempt] = [program.next(verdict.answer), 0];
  }
  return next.value;
}

/** Drives `program` with blocking requests on the calling thread (the waits between attempts block too). */
export function runDavSync<T>(client: DavClient, requester: SyncRequester, program: DavProgram<T>): T {
  let next = program.next();
  for (let attempt = 1; next.done !== true; attempt++) {
    let outcome: Attempt;
    try {
      outcome = { answer: requester.request(next.value.call, next.value.readBody, next.value.limit) };
    } catch (error) {
      outcome = { error };
    }
    const verdict = judge(client, next.value, attempt, outcome);
    if ("wait" in verdict) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, verdict.wait);
    else [next, attempt] = [program.next(verdict.answer), 0];
  }
  return next.value;
}

/** Where programs send requests: the root every name is beneath. */
export interface DavTarget {
  /** The root URL (ending with "/"): no path ever names anything above it. */
  readonly root: URL;
  readonly maxWriteBytes: number;
}

const PROPFIND_BODY = `<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:creationdate/><D:getetag/></D:prop></D:propfind>\n`;

/**
 * PROPFIND at `depth`: the 2xx resources of a 207, and how many responses were left out (names
 * that are not UTF-8); a status's kind otherwise, InvalidData for a malformed answer.
 */
function* propfind(target: DavTarget, names: readonly string[], depth: "0" | "1", op: string): DavProgram<{ resources: DavResource[]; omitted: number }> {
  let call: DavCall = { method: "PROPFIND", url: urlOf(target.root, names), op, body: PROPFIND_BODY, headers: { depth, "content-type": "application/xml; charset=utf-8" } };
  let answer = yield { call, readBody: true };
  // Some servers redirect a collection named without its trailing slash: follow that one redirect only.
  const location = headerValue(answer.headers, "location");
  if (answer.status >= 301 && answer.status <= 308 && location !== undefined && new URL(location, call.url).href === urlOf(target.root, names, true).href) {
    call = { ...call, url: urlOf(target.root, names, true) };
    answer = yield { call, readBody: true };
  }
  if (answer.status !== 207) throw davStatusError(answer, call);
  try {
    const { resources, omitted } = readMultistatus(answer.body, call.url);
    return { resources: resources.filter((resource) => resource.status >= 200 && resource.status < 300), omitted };
  } catch (error) {
    if (error instanceof XmlError) throw new IoError("InvalidData", `${op} ${redactUrl(call.url)}: malformed PROPFIND answer: ${error.message}`, { op, backend: BACKEND, path: redactUrl(call.url), cause: error });
    throw error;
  }
}

/** The resource at `names` itself (Depth 0). */
export function* resourceAt(target: DavTarget, names: readonly string[], op: string): DavProgram<DavResource> {
  const { resources } = yield* propfind(target, names, "0", op);
  const own = pathOf(target.root, names);
  // Only an answer about the resource asked for counts: a single answer about another one (the
  // root for a file, a sibling) would give that one's kind and size.
  const found = resources.find((resource) => resource.path === own || resource.path === `${own}/` || `${resource.path}/` === own);
  if (found === undefined) throw new IoError("InvalidData", `${op} ${redactUrl(urlOf(target.root, names))}: the PROPFIND answer does not describe the resource asked for`, { op, backend: BACKEND });
  return found;
}

/** The resource at `names`, or `undefined` where there is none. */
export function* resourceOrMissing(target: DavTarget, names: readonly string[], op: string): DavProgram<DavResource | undefined> {
  try {
    return yield* resourceAt(target, names, op);
  } catch (error) {
    if (IoError.is(error, "NotFound")) return undefined;
    throw error;
  }
}

/** A member of a listed collection. */
export interface Member {
  readonly name: string;
  readonly resource: DavResource;
}

/** The members of the collection at `names` (Depth 1), each a direct child with a plain name. */
export function* members(target: DavTarget, names: readonly string[], op: string): DavProgram<Member[]> {
  return (yield* listing(target, names, op)).found;
}

/**
 * Whether the collection at `names` has any member, a listed one or one left out of the listing
 * (a name that is not UTF-8): its DELETE, or a MOVE onto it, would remove that member too.
 */
function* hasMembers(target: DavTarget, names: readonly string[], op: string): DavProgram<boolean> {
  const { found, omitted } = yield* listing(target, names, op);
  return found.length > 0 || omitted > 0;
}

/** `members`, and how many responses the listing left out (names that are not UTF-8). */
function* listing(target: DavTarget, names: readonly string[], op: string): DavProgram<{ found: Member[]; omitted: number }> {
  const { resources, omitted } = yield* propfind(target, names, "1", op);
  const own = pathOf(target.root, names);
  const where = redactUrl(urlOf(target.root, names));
  const self = resources.find((resource) => resource.path === own);
  if (self === undefined) throw new IoError("InvalidData", `${op} ${where}: the PROPFIND answer does not describe the collection asked for`, { op, backend: BACKEND });
  if (!self.isCollection) throw new IoError("NotADirectory", `${op}: ${JSON.stringify(own)} is not a directory`, { op, backend: BACKEND });
  const prefix = own.endsWith("/") ? own : own + "/";
  const found: Member[] = [];
  // A name listed twice is listed once (a directory has one entry per name), unless the two
  // answers disagree on what it is: then no entry can be right.
  const seen = new Map<string, Member>();
  for (const resource of resources) {
    // The collection itself may be described twice (with and without its trailing slash).
    if (resource === self || (resource.path === own && resource.isCollection)) continue;
    const name = resource.path.startsWith(prefix) ? resource.path.slice(prefix.length) : "";
    if (name === "" || name === "." || name === ".." || name.includes("/")) {
      throw new IoError("InvalidData", `${op} ${where}: the listing names ${JSON.stringify(resource.path.slice(0, 200))}, which is not a member of the collection`, { op, backend: BACKEND });
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      if (earlier.resource.isCollection === resource.isCollection) continue;
      throw new IoError("InvalidData", `${op} ${where}: the listing names ${JSON.stringify(name.slice(0, 200))} twice, once as a collection and once as a file`, { op, backend: BACKEND });
    }
    const member = { name, resource };
    seen.set(name, member);
    found.push(member);
  }
  return { found, omitted };
}

/** MKCOL, asking first where the answer alone cannot tell an existing collection (rclone answers 201). */
export function* mkcol(target: DavTarget, names: readonly string[], recursive: boolean): DavProgram<void> {
  const label = JSON.stringify("/" + names.join("/"));
  const exists = function* (): DavProgram<void> {
    const resource = recursive ? yield* resourceOrMissing(target, names, "mkdir") : undefined;
    if (resource?.isCollection !== true) throw new IoError("AlreadyExists", `mkdir: ${label} already exists`, { op: "mkdir", backend: BACKEND });
  };
  if (names.length === 0) return yield* exists();
  if (!recursive && (yield* resourceOrMissing(target, names, "mkdir")) !== undefined) return yield* exists();
  const call: DavCall = { method: "MKCOL", url: urlOf(target.root, names, true), op: "mkdir" };
  let answer = yield { call, readBody: false };
  if (answer.status === 409 && recursive) {
    yield* mkcol(target, names.slice(0, -1), true);
    answer = yield { call, readBody: false };
  }
  if (answer.status === 201) return;
  if (answer.status === 405) return yield* exists();
  throw davStatusError(answer, call, { 409: "NotFound" });
}

/** DELETE, with If-Match where the caller knows the version it checked. */
function* remove(target: DavTarget, names: readonly string[], collection: boolean, op: string, etag: string | undefined): DavProgram<void> {
  if (names.length === 0) throw new IoError("InvalidInput", `${op}: the root cannot be removed`, { op, backend: BACKEND });
  const call: DavCall = { method: "DELETE", url: urlOf(target.root, names, collection), op, headers: etag === undefined ? {} : { "if-match": etag } };
  const answer = yield { call, readBody: false };
  if (answer.status === 200 || answer.status === 204) return;
  throw davStatusError(answer, call, { 412: "Stale" });
}

/** removeFile: never a collection (a DELETE of one would be recursive). */
export function* removeFile(target: DavTarget, names: readonly string[], path: string): DavProgram<void> {
  const resource = yield* resourceAt(target, names, "removeFile");
  if (resource.isCollection) throw new IoError("IsADirectory", `removeFile: ${JSON.stringify(path)} is a directory`, { op: "removeFile", backend: BACKEND, path });
  yield* remove(target, names, false, "removeFile", resource.etag);
}

/** removeDir: a collection, empty unless `recursive`. */
export function* removeDir(target: DavTarget, names: readonly string[], path: string, recursive: boolean): DavProgram<void> {
  // Listed even when recursive: a file (NotADirectory) or nothing (NotFound) is refused before the DELETE.
  const occupied = yield* hasMembers(target, names, "removeDir");
  if (!recursive && occupied) throw new IoError("DirectoryNotEmpty", `removeDir: ${JSON.stringify(path)} is not empty`, { op: "removeDir", backend: BACKEND, path });
  yield* remove(target, names, true, "removeDir", undefined);
}

/**
 * rename as POSIX rename(2) does it, over MOVE: a file replaces a file, a directory replaces an
 * empty directory; a file onto a directory is IsADirectory, a directory onto a file
 * NotADirectory, onto a non-empty directory DirectoryNotEmpty, into itself InvalidInput; a
 * rename onto itself does nothing. MOVE with `Overwrite: T` alone would delete a non-empty
 * target directory (RFC 4918 §9.9.3: the destination is deleted first), so the target is asked
 * for first; where there is none, `Overwrite: F` keeps one made meanwhile (412: AlreadyExists).
 * The check and the MOVE are two requests: a target changed between them is not seen.
 */
export function* rename(target: DavTarget, source: readonly string[], destination: readonly string[], from: string): DavProgram<void> {
  if (source.length === 0 || destination.length === 0) throw new IoError("InvalidInput", "rename: the root cannot be renamed or replaced", { op: "rename", backend: BACKEND });
  const moved = yield* resourceOrMissing(target, source, "rename");
  if (moved === undefined) throw new IoError("NotFound", `rename: ${JSON.stringify(from)} does not exist`, { op: "rename", backend: BACKEND, path: from });
  const same = source.length === destination.length && source.every((name, i) => name === destination[i]);
  if (same) return;
  if (destination.length > source.length && source.every((name, i) => name === destination[i])) {
    throw new IoError("InvalidInput", `rename: ${JSON.stringify(from)} cannot be moved into itself`, { op: "rename", backend: BACKEND, path: from });
  }
  const replaced = yield* resourceOrMissing(target, destination, "rename");
  const to = JSON.stringify("/" + destination.join("/"));
  if (replaced !== undefined) {
    if (replaced.isCollection && !moved.isCollection) throw new IoError("IsADirectory", `rename: ${to} is a directory; a file cannot replace it`, { op: "rename", backend: BACKEND, path: from });
    if (!replaced.isCollection && moved.isCollection) throw new IoError("NotADirectory", `rename: ${to} is not a directory; a directory cannot replace it`, { op: "rename", backend: BACKEND, path: from });
    if (replaced.isCollection && (yield* hasMembers(target, destination, "rename"))) {
      throw new IoError("DirectoryNotEmpty", `rename: ${to} is a directory that is not empty`, { op: "rename", backend: BACKEND, path: from });
    }
  }
  const call: DavCall = { method: "MOVE", url: urlOf(target.root, source), op: "rename", headers: { destination: urlOf(target.root, destination).href, overwrite: replaced === undefined ? "F" : "T" } };
  const answer = yield { call, readBody: false };
  if (answer.status === 201 || answer.status === 204) return;
  // Servers differ on a missing source (404, 409, even 500 from webdav-server): ask which it was.
  if (answer.status !== 404 && (yield* resourceOrMissing(target, source, "rename")) === undefined) {
    throw new IoError("NotFound", `rename: ${JSON.stringify(from)} does not exist`, { op: "rename", backend: BACKEND, path: from });
  }
  throw davStatusError(answer, call, { 409: "NotFound", 412: "AlreadyExists" });
}

/** copyFile: COPY, or a GET and a PUT where the server has no COPY (pktio serve). */
export function* copyFile(target: DavTarget, source: readonly string[], destination: readonly string[], from: string): DavProgram<void> {
  const resource = yield* resourceAt(target, source, "copyFile");
  if (resource.isCollection) throw new IoError("IsADirectory", `copyFile: ${JSON.stringify(from)} is a directory`, { op: "copyFile", backend: BACKEND, path: from });
  const call: DavCall = { method: "COPY", url: urlOf(target.root, source), op: "copyFile", headers: { destination: urlOf(target.root, destination).href, overwrite: "T", depth: "0" } };
  const answer = yield { call, readBody: false };
  if (answer.status === 201 || answer.status === 204) return;
  if (answer.status !== 405 && answer.status !== 501) throw davStatusError(answer, call, { 409: "NotFound" });
  const get: DavCall = { method: "GET", url: urlOf(target.root, source), op: "copyFile" };
  const read = yield { call: get, readBody: true, limit: target.maxWriteBytes };
  if (read.status !== 200) throw davStatusError(read, get);
  const put: DavCall = { method: "PUT", url: urlOf(target.root, destination), op: "copyFile", body: read.bytes, headers: { "content-type": "application/octet-stream" } };
  const written = yield { call: put, readBody: false };
  if (written.status < 200 || written.status > 299) throw davStatusError(written, put, { 409: "NotFound" });
}

/** Whether OPTIONS on `url` advertises sabre/dav's partial updates (DAV: sabredav-partialupdate, or Accept-Patch). */
export function* acceptsPartialUpdates(url: URL, mediaType: string): DavProgram<boolean> {
  const answer = yield { call: { method: "OPTIONS", url, op: "open" }, readBody: false };
  if (answer.status < 200 || answer.status > 299) return false;
  const features = (headerValue(answer.headers, "dav") ?? "").split(",").map((feature) => feature.trim().toLowerCase());
  const accepted = (headerValue(answer.headers, "accept-patch") ?? "").split(",").map((type) => type.split(";")[0]?.trim().toLowerCase());
  return features.includes("sabredav-partialupdate") || accepted.includes(mediaType);
}
