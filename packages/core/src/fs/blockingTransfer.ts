/**
 * Blocking positional reads or writes with Node's `readSync`/`writeSync` until the whole buffer
 * moved, the file ended (a read returned 0) or a write made no progress. Shared by the backends
 * whose sync paths are these calls (libuv's sync scope, the DirectSync paths).
 */
import { nodeBuiltin } from "../internal/nodeBuiltin.js";

/** Linux moves at most 0x7ffff000 bytes in one read or write call. */
const MAX_CALL = 0x7ffff000;

/** Bytes moved, and what a call threw (as thrown) when one stopped the transfer. */
export interface BlockingResult {
  readonly done: number;
  readonly thrown?: unknown;
}

/** Moves `bytes` at `pos` of `fd` with blocking calls; never throws (the call that failed is in `thrown`). */
export function blockingTransfer(fd: number, pos: number, bytes: Uint8Array, reading: boolean): BlockingResult {
  const { readSync, writeSync } = nodeBuiltin("node:fs");
  let done = 0;
  try {
    while (done < bytes.byteLength) {
      const length = Math.min(bytes.byteLength - done, MAX_CALL);
      const count = reading ? readSync(fd, bytes, done, length, pos + done) : writeSync(fd, bytes, done, length, pos + done);
      if (count === 0) break;
      done += count;
    }
  } catch (thrown) {
    return { done, thrown };
  }
  return { done };
}
