/**
 * `readRange(target, pos, length)`: a fresh buffer with the bytes at `[pos, pos + length)`, the
 * one-liner every integration wrote by hand (an AsyncBuffer's `slice`, a RandomAccessReader's
 * read). Short only at the end of the data, as `readAt`.
 */
import type { IoOptions } from "../IoOptions.js";
import { checkLength, MAX_PACKET_LENGTH } from "../internal/validate.js";
import type { Pos } from "../PacketIo.js";
import { readAt, readAtSync, type ReadTarget } from "../readWrite.js";

/**
 * Reads up to `length` bytes at `pos` into a new Uint8Array, shorter only where the data ends
 * (empty at or past the end). The buffer is the caller's: nothing else refers to it.
 */
export async function readRange(target: ReadTarget, pos: Pos, length: number, options?: IoOptions): Promise<Uint8Array> {
  const dst = new Uint8Array(checkLength(length, "length", MAX_PACKET_LENGTH, "readRange"));
  const count = await readAt(target, pos, dst, options);
  return fitted(dst, count);
}

/** `readRange`, blocking through the target's backend. */
export function readRangeSync(target: ReadTarget, pos: Pos, length: number, options?: IoOptions): Uint8Array {
  const dst = new Uint8Array(checkLength(length, "length", MAX_PACKET_LENGTH, "readRangeSync"));
  return fitted(dst, readAtSync(target, pos, dst, options));
}

/** A short read is copied out, so the caller does not keep the unread tail's memory alive. */
function fitted(dst: Uint8Array, count: number): Uint8Array {
  return count === dst.byteLength ? dst : dst.slice(0, count);
}
