/**
 * Backoff between attempts: exponential from `retryDelayMs`, capped at `maxRetryDelayMs`; a
 * server's Retry-After (seconds or an HTTP date) is honoured up to the same cap.
 */

/** The wait before attempt `attempt + 1` (attempt 1 failed: the first retry). */
export function retryDelay(attempt: number, retryAfter: string | undefined, retryDelayMs: number, maxRetryDelayMs: number): number {
  const backoff = Math.min(retryDelayMs * 2 ** (attempt - 1), maxRetryDelayMs);
  const asked = parseRetryAfter(retryAfter);
  return asked === undefined ? backoff : Math.min(Math.max(asked, backoff), maxRetryDelayMs);
}

/** Retry-After in milliseconds from now, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or at once when `signal` fires (the caller then checks why). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    // Referenced: a retry is work in flight, and keeps the process alive like any other.
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
