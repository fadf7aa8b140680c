/**
 * The slots of one path (an open file): how many of its operations may be handed to libuv at
 * once. Operations beyond wait here, in order, not in the runtime's queue, so a path with a deep
 * queue or a blocked operation never holds back another path's (issue 14: with one runtime-wide
 * queue, a regular file's read waited behind a read blocked on a FIFO).
 */
import { Fifo } from "@pktio/core/backend";

/**
 * One operation: starts it, and calls `done` exactly once when libuv completes it.
 * `runtimeSlot` says whether it holds one of the runtime's slots (a regular file's operation).
 */
export type Operation = (done: () => void, runtimeSlot: boolean) => void;

export class PathSlots {
  inFlight = 0;
  readonly waiting = new Fifo<Operation>();
  /**
   * A FIFO, socket or device (found by ESPIPE): its operations may block for ever, so they hold
   * only this path's slots, never the runtime's, which stay for operations that finish.
   */
  stream = false;

  constructor(
    /** Slots of a regular file. */
    readonly fileLimit: number,
    /** Slots of a stream-like file (each may hold one libuv pool thread while it blocks). */
    readonly streamLimit: number,
  ) {}

  get limit(): number {
    return this.stream ? this.streamLimit : this.fileLimit;
  }
}
