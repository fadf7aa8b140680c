/**
 * How a backend settles a positional transfer that moved `count` bytes of a view: the same rules
 * on every backend. A short read of a regular file means its end: the head completes and the
 * tail fails with UnexpectedEof. A short write is continued from where it stopped.
 */
import type { BoundPacketView } from "../BoundPacketView.js";
import { IoError } from "../IoError.js";
import type { Read, Write } from "../Perm.js";

export interface TransferContext {
  readonly backend: string;
  readonly path: string;
}

export function settleRead(view: BoundPacketView<Write>, pos: number, count: number, context: TransferContext): void {
  if (count === view.length) return view.complete();
  const where = { op: "read", backend: context.backend, path: context.path };
  if (count === 0) return view.fail(new IoError("UnexpectedEof", `read at ${pos} is past the end of ${context.path}`, where));
  const [head, tail] = view.splitAt(count);
  head.complete();
  tail.fail(new IoError("UnexpectedEof", `read reaches past the end of ${context.path} at ${pos + count}`, where));
}

/** `resubmit(pos, tail)` sends the rest of a short write again. */
export function settleWrite(view: BoundPacketView<Read>, pos: number, count: number, context: TransferContext, resubmit: (pos: number, tail: BoundPacketView<Read>) => void): void {
  if (count === view.length) return view.complete();
  if (count === 0) return view.fail(new IoError("Other", `write at ${pos} of ${context.path} made no progress`, { op: "write", backend: context.backend, path: context.path }));
  const [head, tail] = view.splitAt(count);
  head.complete();
  resubmit(pos + count, tail);
}
