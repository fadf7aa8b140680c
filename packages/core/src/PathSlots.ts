/**
 * Slots per path, for a backend's scheduler (design.md §8): how many operations of one open file
 * the backend hands to the OS at once, and the operations beyond, waiting here in order instead
 * of in the runtime's queue, so that a path with a deep queue or a blocked operation never holds
 * back another path's (issue 14: with one runtime-wide queue, a regular file's read waited
 * 1006 ms behind a read blocked on a FIFO). libuv and uring schedule with it and share its options.
 */
import { z } from "zod";
import { Fifo } from "./Fifo.js";

/** The per-path options, the same on every backend that has them (spread into its options schema). */
export const pathSlotOptions = {
  /** Operations of one regular file handed to the OS at once; more wait in that file's own queue. */
  maxInFlightPerFile: z.number().int().min(1).max(65_536).default(64),
  /**
   * Operations of one FIFO, socket-like file or device at once. Each may wait for ever, so they
   * are bounded per path and never take the runtime-wide `maxInFlight` slots.
   */
  maxInFlightPerStream: z.number().int().min(1).max(64).default(2),
};

/**
 * One path's slot count and queue: a backend starts an operation of the path when `hasRoom`,
 * counts it in `inFlight` until it completes, and otherwise queues it in `waiting`.
 */
export class PathSlots<Operation> {
  /** Operations of this path handed to the OS and not yet completed. */
  inFlight = 0;
  /** Operations of this path beyond its limit, in submission order. */
  readonly waiting = new Fifo<Operation>();
  /**
   * A FIFO, socket or device: its operations may block for ever, so they hold only this path's
   * slots, never the runtime's, which stay for operations that finish.
   */
  stream = false;

  constructor(
    /** Slots of a regular file. */
    readonly fileLimit: number,
    /** Slots of a stream-like file. */
    readonly streamLimit: number,
  ) {}

  get limit(): number {
    return this.stream ? this.streamLimit : this.fileLimit;
  }

  /** True when an operation may start now: a free slot, and nothing of this path queued before it. */
  get hasRoom(): boolean {
    return this.inFlight < this.limit && this.waiting.length === 0;
  }
}
