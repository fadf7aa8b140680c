/**
 * Buffers the workers can fill in place. A view over a SharedArrayBuffer skips the bounce
 * arena: no copy, no slot to wait for, and no splitting into slot-sized pieces. Any
 * SharedArrayBuffer-backed Uint8Array takes that path; this is the convenient way to get one.
 */
import { MAX_PACKET_LENGTH } from "@pktio/core";
import { checkLength } from "@pktio/core/backend";

/** A zero-filled Uint8Array of `length` bytes over a new SharedArrayBuffer. */
export function allocShared(length: number): Uint8Array {
  checkLength(length, "length", MAX_PACKET_LENGTH, "allocShared");
  return new Uint8Array(new SharedArrayBuffer(length));
}

/** True when the workers can reach `bytes` directly (zero-copy). */
export function isShared(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof SharedArrayBuffer;
}
