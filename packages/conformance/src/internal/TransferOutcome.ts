/**
 * How the property test judges one transfer's settlement: piece by piece for io() packets, as a
 * whole for the helpers and sync calls. A legal outcome changes the model (a write that landed,
 * or may have); anything else is reported as a violation.
 */
import { IoError, type PacketResult, type PacketSegment } from "@pktio/core";
import type { FileModel } from "./FileModel.js";
import type { Cancel, Piece } from "./propertyCommands.js";
import type { Handle } from "./PropertyWorld.js";

/** What an outcome reports to: the runner. */
export interface OutcomeSink {
  model(file: number): FileModel;
  report(message: string): void;
  count(what: string): void;
}

/** A piece with the handle it goes to and, for reads, what the model says is there. */
export interface Placed extends Piece {
  readonly handle: Handle;
  /** Sent to a handle already closed: it must fail Closed. */
  readonly stale: boolean;
  /** Offset of the piece in the packet. */
  readonly offset: number;
  expected: Uint8Array;
  sizeAtIssue: number;
  /** Bytes of this piece settled so far (a zero-length piece counts its one settlement). */
  settled: number;
}

/**
 * Judges the settlement of one transfer, piece by piece (io) or as a whole (helpers, sync), and
 * applies what a write did to the model.
 */
export class TransferOutcome {
  /** Set once the transfer is in flight (sync ones never are). */
  op: { readonly closing: boolean } | undefined = undefined;
  constructor(
    readonly runner: OutcomeSink,
    readonly label: string,
    readonly write: boolean,
    readonly placed: readonly Placed[],
    readonly data: Uint8Array,
    readonly cancel: Cancel,
  ) {}

  /** Error kinds the piece may legally settle with, besides its end-of-file tail. */
  #allowed(kind: string): boolean {
    if (this.cancel.kind === "abortAfter" && kind === "Aborted") return true;
    if (this.cancel.kind === "deadline" && kind === "TimedOut") return true;
    return this.op?.closing === true && kind === "Closed";
  }

  /** One settled segment of an io() packet. */
  segment(segment: PacketSegment, data: Uint8Array): void {
    // A packet whose signal fired before the call is failed whole by core, never split (§7).
    const total = this.placed.reduce((sum, p) => sum + p.length, 0);
    if (this.cancel.kind === "abortBefore" && this.placed.length > 1 && segment.start === 0 && segment.end === total) {
      for (const whole of this.placed) {
        whole.settled = Math.max(1, whole.length);
        this.#judge(whole, whole.pos, whole.length, data.subarray(whole.offset, whole.offset + whole.length), segment.error);
      }
      return;
    }
    const piece = this.placed.find((p) => segment.start >= p.offset && segment.start < p.offset + p.length) ?? (segment.start === 0 ? this.placed[0] : undefined);
    if (piece === undefined || segment.end > piece.offset + piece.length) {
      this.runner.report(`${this.label}: segment [${segment.start}, ${segment.end}) crosses the pieces it was sent as`);
      return;
    }
    const filePos = piece.pos + (segment.start - piece.offset);
    piece.settled += Math.max(1, segment.end - segment.start);
    this.#judge(piece, filePos, segment.end - segment.start, data.subarray(segment.start, segment.end), segment.error);
  }

  #judge(piece: Placed, filePos: number, length: number, bytes: Uint8Array, error: IoError | undefined): void {
    this.runner.count(`${this.write ? "write" : "read"} ${error?.kind ?? "ok"}`);
    const where = `${this.label}: [${filePos}, ${filePos + length}) of f${piece.file}`;
    const kind = error?.kind;
    if (piece.stale || this.cancel.kind === "abortBefore") {
      const wanted = piece.stale ? "Closed" : "Aborted";
      if (kind !== wanted && !(piece.stale && kind === "Aborted")) this.runner.report(`${where} should fail ${wanted}, got ${kind ?? "success"}`);
      return;
    }
    if (kind === undefined) {
      if (this.write) return this.runner.model(piece.file).write(filePos, bytes);
      if (length > 0 && filePos + length > piece.sizeAtIssue) return this.runner.report(`${where} read succeeded past the end (${piece.sizeAtIssue})`);
      const expected = piece.expected.subarray(filePos - piece.pos, filePos - piece.pos + length);
      if (Buffer.compare(bytes, expected) !== 0) this.runner.report(`${where} read other bytes than the model's (first difference at ${firstDifference(bytes, expected) + filePos})`);
      return;
    }
    if (!this.write && kind === "UnexpectedEof") {
      if (filePos < piece.sizeAtIssue) this.runner.report(`${where} failed UnexpectedEof inside the file (size ${piece.sizeAtIssue})`);
      return;
    }
    if (this.#allowed(kind)) {
      if (this.write) this.runner.model(piece.file).maybeWrite(piece.file, filePos, bytes);
      return;
    }
    this.runner.report(`${where} failed ${kind}: ${error?.message}`);
  }

  /**
   * An io() result that came before every piece settled (an abort or a deadline answered the
   * caller early): the pieces not settled are judged as failed with its error — a write among
   * them may or may not land.
   */
  early(result: PacketResult): void {
    if (result.error === undefined) return;
    for (const piece of this.placed) {
      if (piece.settled >= Math.max(1, piece.length)) continue;
      piece.settled = Math.max(1, piece.length);
      this.#judge(piece, piece.pos, piece.length, this.data.subarray(piece.offset, piece.offset + piece.length), result.error);
    }
  }

  /** The whole transfer succeeded (writeAllAt, writeAllAtSync). */
  whole(length: number): void {
    const piece = this.placed[0] as Placed;
    this.#judge(piece, piece.pos, length, this.data, undefined);
  }

  /** A read helper returned `count`. */
  count(count: number, exact: boolean): void {
    const piece = this.placed[0] as Placed;
    const available = Math.max(0, Math.min(piece.length, piece.sizeAtIssue - piece.pos));
    if (piece.stale || this.cancel.kind === "abortBefore") return this.runner.report(`${this.label}: should have failed, returned ${count}`);
    if (count !== available || (exact && count < piece.length)) return this.runner.report(`${this.label}: returned ${count} bytes, the model has ${available}`);
    this.#judge(piece, piece.pos, count, this.data.subarray(0, count), undefined);
  }

  /** A packet result of ioSync: the leading run succeeded, the rest failed with `error`. */
  result(result: PacketResult, data: Uint8Array): void {
    const piece = this.placed[0] as Placed;
    if (result.transferred > 0) this.#judge(piece, piece.pos, result.transferred, data.subarray(0, result.transferred), undefined);
    if (result.error !== undefined) {
      this.#judge(piece, piece.pos + result.transferred, piece.length - result.transferred, data.subarray(result.transferred), result.error);
    } else if (result.transferred !== piece.length) {
      this.runner.report(`${this.label}: ${result.transferred} of ${piece.length} bytes and no error`);
    }
    if (piece.length === 0 && result.error === undefined) this.#judge(piece, piece.pos, 0, data, undefined);
  }

  /** A helper threw or rejected: the whole transfer is judged as failed with it. */
  failed(error: unknown, exact: boolean): void {
    const piece = this.placed[0] as Placed;
    if (!(error instanceof IoError)) return this.runner.report(`${this.label}: threw a non-IoError ${describeError(error)}`);
    if (exact && error.kind === "UnexpectedEof") {
      if (piece.stale || this.cancel.kind === "abortBefore" || piece.pos + piece.length <= piece.sizeAtIssue) this.runner.report(`${this.label}: readExactAt failed UnexpectedEof: ${error.message}`);
      return;
    }
    // The helper does not say which pieces moved: all of a failed write may or may not be there.
    this.#judge(piece, piece.pos, piece.length, this.data, error);
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.byteLength, b.byteLength); i++) if (a[i] !== b[i]) return i;
  return Math.min(a.byteLength, b.byteLength);
}

/** The kind of an IoError, undefined for anything else. */
export function kindOf(error: unknown): string | undefined {
  return error instanceof IoError ? error.kind : undefined;
}

/** An error as one line for a violation message. */
export function describeError(error: unknown): string {
  return error instanceof IoError ? `${error.kind}: ${error.message}` : String(error);
}

