/**
 * How every stream settles a read that `count` bytes filled: the whole view completes, or its
 * head completes and its tail fails with kind WouldBlock (ByteStream's contract). A short read is
 * a stream's normal case, not a fault, so the tail fails with one frozen error per backend (a
 * sentinel, like Go's io.EOF) instead of a new one: constructing an Error and capturing its stack
 * cost more than the rest of the read (tcp-echo profile, issue 14: 30 % of the uring server's CPU).
 */
import type { BoundPacketView } from "../BoundPacketView.js";
import { IoError } from "../IoError.js";
import type { Write } from "../Perm.js";

/** One frozen WouldBlock error per backend name; immutable, so every runtime of the process may share it. */
const sentinels = new Map<string, IoError>();

/** Completes `view` with its first `count` bytes (0 < count ≤ view.length); the rest fails WouldBlock. */
export function settleShortRead(view: BoundPacketView<Write>, count: number, backend: string): void {
  if (count === view.length) return view.complete();
  const [head, tail] = view.splitAt(count);
  head.complete();
  tail.fail(shortReadError(backend));
}

/** The sentinel of `backend`: kind WouldBlock, op "read", no stack trace, frozen. */
export function shortReadError(backend: string): IoError {
  let error = sentinels.get(backend);
  if (error === undefined) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      error = new IoError("WouldBlock", "read: the rest of the buffer had not arrived (a short read)", { op: "read", backend });
    } finally {
      Error.stackTraceLimit = limit;
    }
    sentinels.set(backend, Object.freeze(error));
  }
  return error;
}
