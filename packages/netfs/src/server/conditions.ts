/**
 * Validators and preconditions of RFC 9110 §8.8 and §13: the ETag and Last-Modified of a file
 * from its stat, the evaluation order of §13.2.2 (If-Match, If-Unmodified-Since, If-None-Match,
 * If-Modified-Since, then If-Range), and the single byte range of §14.1.2. A multi-range request
 * is answered with the whole representation (200), which §14.2 allows.
 */
import type { FileStat } from "@pktio/core";

/** The strong ETag of a file version: size, modification time (µs) and inode. */
export function etagOf(stat: FileStat): string {
  return `"${stat.size.toString(36)}-${Math.floor(stat.modifiedMs * 1000).toString(36)}-${stat.inode.toString(36)}"`;
}

/** What the preconditions decided: go on, 304 Not Modified, or 412 Precondition Failed. */
export type Precondition = "proceed" | 304 | 412;

/** A resource as the preconditions see it: its validators, or absent (`undefined`). */
export interface Validators {
  readonly etag: string;
  readonly modifiedMs: number;
}

/** A stat's validators, or `undefined` for a resource that is not there. */
export function validatorsOf(stat: FileStat | undefined): Validators | undefined {
  return stat === undefined ? undefined : { etag: etagOf(stat), modifiedMs: stat.modifiedMs };
}

/**
 * RFC 9110 §13.2.2 for a method on a resource that exists (`current`) or not: `safe` for GET and
 * HEAD (If-None-Match and If-Modified-Since then answer 304 instead of 412).
 */
export function evaluatePreconditions(headers: Readonly<Record<string, string | string[] | undefined>>, current: Validators | undefined, safe: boolean): Precondition {
  const ifMatch = single(headers["if-match"]);
  const ifNoneMatch = single(headers["if-none-match"]);
  if (ifMatch !== undefined) {
    if (current === undefined || !matches(ifMatch, current.etag, true)) return 412;
  } else {
    const since = httpDate(single(headers["if-unmodified-since"]));
    if (since !== undefined && current !== undefined && seconds(current.modifiedMs) > seconds(since)) return 412;
  }
  if (ifNoneMatch !== undefined) {
    if (current !== undefined && matches(ifNoneMatch, current.etag, false)) return safe ? 304 : 412;
  } else if (safe && current !== undefined) {
    const since = httpDate(single(headers["if-modified-since"]));
    if (since !== undefined && seconds(current.modifiedMs) <= seconds(since)) return 304;
  }
  return "proceed";
}

/** Whether an If-Range value lets the Range apply (§13.1.5): a strong ETag match or the exact date. */
export function ifRangeHolds(value: string | undefined, current: Validators): boolean {
  if (value === undefined) return true;
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith("W/")) return matches(trimmed, current.etag, true);
  const date = httpDate(trimmed);
  return date !== undefined && seconds(date) === seconds(current.modifiedMs);
}

/** The answer to a Range header for a representation of `size` bytes. */
export type RangeAnswer = { readonly kind: "whole" } | { readonly kind: "part"; readonly start: number; readonly end: number } | { readonly kind: "unsatisfiable" };

/**
 * Reads a Range header (§14.1.2). A header that is absent, not in bytes, malformed or lists
 * several ranges is ignored (the whole representation, as §14.2 allows); a well-formed single
 * range that starts past the end is unsatisfiable (416). `end` is exclusive.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: "whole" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return { kind: "whole" };
  const [, first = "", last = ""] = match;
  if (first === "") {
    if (last === "") return { kind: "whole" };
    const suffix = position(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "part", start: Math.max(0, size - suffix), end: size };
  }
  const start = position(first);
  if (last !== "" && position(last) < start) return { kind: "whole" };
  // A start past the end (however many digits it has) is unsatisfiable; an end past it is the end.
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size : Math.min(size, position(last) + 1);
  return { kind: "part", start, end };
}

/** A byte position's digits as a number; past 15 significant digits (beyond any file), Infinity. */
function position(digits: string): number {
  const significant = digits.replace(/^0+(?=\d)/, "");
  return significant.length > 15 ? Infinity : Number(significant);
}

/** Whether an If-Match / If-None-Match list names `etag` (strong or weak comparison, §8.8.3.2). */
function matches(list: string, etag: string, strong: boolean): boolean {
  if (list.trim() === "*") return true;
  const tags = list.match(/(?:W\/)?"[^"]*"/g) ?? [];
  return tags.some((tag) => {
    const weak = tag.startsWith("W/");
    if (strong && weak) return false;
    return (weak ? tag.slice(2) : tag) === etag;
  });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

/** HTTP dates have one-second resolution. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
