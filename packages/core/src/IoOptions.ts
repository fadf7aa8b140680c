/**
 * Per-operation options: an AbortSignal and a deadline. A bound packet watches them
 * (internal/Deadline.ts): when either fires with pieces still out, the caller is answered at
 * once (kind Aborted, or TimedOut) while the packet stays in flight until the backend settles
 * every piece (`packet.released`). Backends see both through `view.packet.signal` and refuse to
 * start, drop or cancel pieces (uring: ASYNC_CANCEL, LINK_TIMEOUT). If the completion wins the
 * race, the data is returned. See docs/design.md §7.
 */
import { IoError } from "./IoError.js";

/** The longest `timeoutMs` (and connection deadline): a timer's limit in Node, about 24.8 days. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface IoOptions {
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds the operation may take once submitted. */
  readonly timeoutMs?: number | undefined;
}

/** Checks options at a public entry; returns undefined for none. */
export function checkIoOptions(options: unknown, op: string): IoOptions | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) throw new TypeError(`${op}: options must be an object, got ${String(options)}`);
  const { signal, timeoutMs, ...rest } = options as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new IoError("InvalidInput", `${op}: unknown option ${JSON.stringify(unknown[0])}`, { op });
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${op}: signal must be an AbortSignal`);
  // Past the timer limit Node would fire the timer at once (TimeoutOverflowWarning): refused instead.
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS)) {
    throw new IoError("InvalidInput", `${op}: timeoutMs must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`, { op });
  }
  return options as IoOptions;
}

/** The error for a piece whose signal fired: the signal's reason when it is an IoError. */
export function abortError(signal: AbortSignal, op: string, backend?: string): IoError {
  const reason: unknown = signal.reason;
  if (reason instanceof IoError) return reason;
  return new IoError("Aborted", `${op} was aborted`, { op, cause: reason, ...(backend === undefined ? {} : { backend }) });
}
