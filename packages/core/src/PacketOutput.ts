/** What a packet reports: one record per settled segment, and one result when all are settled. */
import type { IoError } from "./IoError.js";

/** The outcome of a whole packet. */
export interface PacketResult {
  /**
   * Bytes of the leading successful run: the packet's length when every segment succeeded,
   * otherwise the start of the lowest failed segment (mfio's `error_clamp`).
   */
  readonly transferred: number;
  /** The error of the lowest failed segment, if any segment failed. */
  readonly error: IoError | undefined;
}

/** One settled piece `[start, end)` of a packet, in packet offsets. */
export interface PacketSegment {
  readonly start: number;
  readonly end: number;
  /** Undefined when the piece succeeded. */
  readonly error: IoError | undefined;
}

/**
 * Receives a packet's settlements. `onSegment` runs synchronously in the settling backend's
 * context for each piece; `onDone` once, after the last piece. Both must not throw: a thrown
 * error is re-raised asynchronously so it cannot corrupt the backend.
 */
export interface PacketOutput {
  onSegment?(segment: PacketSegment): void;
  onDone(result: PacketResult): void;
}
