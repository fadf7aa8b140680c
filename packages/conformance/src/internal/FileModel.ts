/**
 * The property test's model of one file: plain bytes and a size, changed with pwrite/ftruncate
 * semantics, plus the effects that may or may not have happened (a write piece that settled
 * Aborted, TimedOut or Closed). Also the footprints (`Span`) by which the runner decides which
 * operations may be in flight together: only operations whose effects commute, so that the
 * model's order of application cannot differ from the backend's in any way that shows.
 */

/** How an operation touches a file's size: reads it, grows it (pwrite past the end), or sets it (ftruncate). */
export type SizeUse = "none" | "read" | "grow" | "set";

/** The bytes `[lo, hi)` of one file that an operation reads or writes, and its use of the size. */
export interface Span {
  readonly file: number;
  readonly lo: number;
  readonly hi: number;
  readonly write: boolean;
  readonly size: SizeUse;
}

/**
 * Two operations commute unless one writes bytes the other touches, or one sets the size and
 * the other uses it, or one grows it and the other reads it. Growing writes commute with each
 * other: the size is the largest end either way and pwrite never zeroes written bytes.
 */
export function conflicts(a: Span, b: Span): boolean {
  if (a.file !== b.file) return false;
  if ((a.write || b.write) && a.lo < b.hi && b.lo < a.hi) return true;
  if (a.size === "set" && b.size !== "none") return true;
  if (b.size === "set" && a.size !== "none") return true;
  return (a.size === "grow" && b.size === "read") || (a.size === "read" && b.size === "grow");
}

/** The footprint of a read of `[pos, pos + length)` when the file has `size` bytes. */
export function readSpan(file: number, pos: number, length: number, size: number): Span {
  return { file, lo: pos, hi: pos + length, write: false, size: length > 0 && pos + length > size ? "read" : "none" };
}

/** The footprint of a write of `[pos, pos + length)` when the file has `size` bytes. */
export function writeSpan(file: number, pos: number, length: number, size: number): Span {
  return { file, lo: pos, hi: pos + length, write: true, size: length > 0 && pos + length > size ? "grow" : "none" };
}

/** The footprint of a truncate to `length`: every byte from the lower of old and new size, and the size. */
export function truncateSpan(file: number, length: number, size: number): Span {
  return { file, lo: Math.min(length, size), hi: Infinity, write: true, size: "set" };
}

/** A write piece whose outcome is unknown: its bytes may or may not be in the file. */
interface MaybeWrite {
  readonly span: Span;
  readonly pos: number;
  readonly bytes: Uint8Array;
}

export class FileModel {
  #bytes: Uint8Array;
  #size: number;
  /** Effects that may have happened; resolved against the real file by `check`. */
  readonly #maybeWrites: MaybeWrite[] = [];
  #maybeTruncate: number | undefined = undefined;

  constructor(initial: Uint8Array) {
    this.#bytes = new Uint8Array(Math.max(64, initial.byteLength));
    this.#bytes.set(initial);
    this.#size = initial.byteLength;
  }

  get size(): number {
    return this.#size;
  }

  /** A copy of the certain bytes. */
  contents(): Uint8Array {
    return this.#bytes.slice(0, this.#size);
  }

  /** A copy of `[pos, pos + length)` clamped to the size: what a read there must return. */
  slice(pos: number, length: number): Uint8Array {
    return this.#bytes.slice(Math.min(pos, this.#size), Math.min(pos + length, this.#size));
  }

  /** pwrite: the bytes land at `pos`; the size grows to the end, the gap reads as zeros. */
  write(pos: number, bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    const end = pos + bytes.byteLength;
    this.#reserve(end);
    this.#bytes.set(bytes, pos);
    if (end > this.#size) this.#size = end;
  }

  /** ftruncate: shrinking forgets the tail, growing zero-fills. */
  truncate(length: number): void {
    this.#reserve(length);
    if (length < this.#size) this.#bytes.fill(0, length, this.#size);
    this.#size = length;
  }

  /** A write piece that settled with an error that leaves its effect open (Aborted, TimedOut, Closed at runtime close). */
  maybeWrite(file: number, pos: number, bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#maybeWrites.push({ span: writeSpan(file, pos, bytes.byteLength, this.#size), pos, bytes });
  }

  /** A truncate that failed as Closed while the runtime closed: it may have happened. */
  maybeTruncate(length: number): void {
    this.#maybeTruncate = length;
  }

  /** The open effects as footprints: an operation that conflicts with one must wait for `check`. */
  uncertainSpans(file: number): Span[] {
    const spans = this.#maybeWrites.map((write) => write.span);
    if (this.#maybeTruncate !== undefined) spans.push(truncateSpan(file, this.#maybeTruncate, this.#size));
    return spans;
  }

  /**
   * Compares the real file with the model, allowing each open effect to have happened or not,
   * wholly or for a prefix: every byte is the model's (zero past its size) or one of the
   * open writes' bytes there, and the size is the model's, the open truncate's, or grown by an
   * open write. Returns what differs, or undefined; then the model takes the real bytes.
   */
  check(actual: Uint8Array): string | undefined {
    const problem = this.#compare(actual);
    this.#maybeWrites.length = 0;
    this.#maybeTruncate = undefined;
    this.#bytes = new Uint8Array(Math.max(64, actual.byteLength));
    this.#bytes.set(actual);
    this.#size = actual.byteLength;
    return problem;
  }

  #compare(actual: Uint8Array): string | undefined {
    const size = this.#size;
    if (actual.byteLength === size && Buffer.compare(actual, this.#bytes.subarray(0, size)) === 0) return undefined;
    const grownTo = Math.max(size, ...this.#maybeWrites.map((write) => write.pos + write.bytes.byteLength));
    const truncatedTo = this.#maybeTruncate;
    const sizeOk = actual.byteLength === size || actual.byteLength === truncatedTo || (actual.byteLength > size && actual.byteLength <= grownTo);
    if (!sizeOk) {
      const open = truncatedTo === undefined ? (grownTo > size ? ` (or up to ${grownTo} by an unsettled write)` : "") : ` or ${truncatedTo} (an unsettled truncate)`;
      return `file size is ${actual.byteLength}, the model says ${size}${open}`;
    }
    for (let p = 0; p < actual.byteLength; p++) {
      const value = actual[p] as number;
      if (value === (p < size ? (this.#bytes[p] as number) : 0)) continue;
      if (this.#maybeWrites.some((write) => p >= write.pos && p < write.pos + write.bytes.byteLength && write.bytes[p - write.pos] === value)) continue;
      const expected = p < size ? this.#bytes[p] : 0;
      return `byte ${p} is ${value}, the model says ${String(expected)}${this.#maybeWrites.length > 0 ? ` (or an unsettled write's byte)` : ""}; first of ${countDiffs(actual, this.#bytes, size)} differing bytes`;
    }
    return undefined;
  }

  #reserve(length: number): void {
    if (length <= this.#bytes.byteLength) return;
    const grown = new Uint8Array(Math.max(length, this.#bytes.byteLength * 2));
    grown.set(this.#bytes.subarray(0, this.#size));
    this.#bytes = grown;
  }
}

function countDiffs(actual: Uint8Array, model: Uint8Array, size: number): number {
  let diffs = 0;
  for (let p = 0; p < actual.byteLength; p++) if (actual[p] !== (p < size ? model[p] : 0)) diffs++;
  return diffs;
}
