/** The one place the threaded backend turns errnos, worker replies and thrown values into IoErrors. */
import { IoError, toIoError } from "@pktio/core";
import { fromErrno } from "@pktio/core/backend";
import type { MetaReply } from "./messages.js";
import { ERRNO_INTERNAL } from "./ringLayout.js";

export const BACKEND = "threaded";

function context(op: string, path: string | undefined): { op: string; backend: string; path?: string } {
  return { op, backend: BACKEND, ...(path === undefined ? {} : { path }) };
}

/** An entry's ERRNO word as an IoError. */
export function errnoError(errno: number, op: string, path?: string): IoError {
  if (errno === ERRNO_INTERNAL) return new IoError("Other", `${op}: the worker thread failed without an OS error${path === undefined ? "" : ` (${JSON.stringify(path)})`}`, context(op, path));
  return fromErrno(errno, context(op, path));
}

/** A worker's failed reply as an IoError. */
export function replyError(reply: Extract<MetaReply, { ok: false }>, op: string, path?: string, sync = false): IoError {
  if (reply.kind !== undefined) return new IoError(reply.kind, reply.message, context(op, path));
  // Rebuilt as a Node-style error so the errno name picks the kind and Node's message is kept.
  // readDir is readdirSync in the worker, which Node reports as scandir; libuv's and uring's
  // readDir open the directory first and say opendir: one text on every backend (design.md §7).
  // readDirSync is readdirSync on every backend: scandir, as Node says it.
  const message = op === "readDir" && !sync ? reply.message.replace(", scandir '", ", opendir '") : reply.message;
  return toIoError(Object.assign(new Error(message), { code: reply.code }), context(op, path));
}
