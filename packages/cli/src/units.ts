/**
 * Sizes and durations as users type them (`4k`, `256m`, `1g`; `300ms`, `10s`) and as the CLI
 * prints them. Sizes are binary (k = 1024), as in fio; a bare number of bytes is accepted too.
 */

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i;
const UNIT = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 } as const;

/** Bytes, or undefined when `text` is not a size or not a whole, safe number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  const unit = UNIT[(match[2] ?? "").toLowerCase() as keyof typeof UNIT];
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Milliseconds, or undefined when `text` is not a duration. A bare number is seconds, as in fio. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const unit = (match[2] ?? "s").toLowerCase();
  const ms = Number(match[1]) * (unit === "ms" ? 1 : unit === "s" ? 1000 : 60_000);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `4 KiB`, `256 MiB`, `1.5 GiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = Number.isInteger(value) ? 0 : value < 10 ? 2 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** `300 ms`, `3 s`, `1.5 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(2))} s`;
}

/** A rate or count with a k/M suffix: `351.2k`, `1.23M`, `812`. */
export function formatCount(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** A latency given in microseconds: `12.3 µs`, `420 µs`, `1.20 ms`. */
export function formatLatency(us: number): string {
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  return us >= 100 ? `${us.toFixed(0)} µs` : `${us.toFixed(1)} µs`;
}
