/**
 * The explanation every backend gives when a file opened with `direct` (O_DIRECT) refuses a
 * transfer: Linux answers a misaligned one with a bare EINVAL, which says nothing of the rule.
 */
import { IoError } from "../IoError.js";

/** The alignment O_DIRECT transfers need on common devices (their logical block size). */
export const DIRECT_ALIGNMENT = 512;

/**
 * The error for a transfer a `direct` file refused with EINVAL: kind InvalidInput, naming the
 * position and length, the rule, and where aligned buffers come from.
 */
export function directAlignmentError(path: string, op: string, pos: number, length: number, backend: string, cause?: unknown): IoError {
  return new IoError(
    "InvalidInput",
    `${path} is open with direct: the buffer's address, the position (${pos}) and the length (${length}) must be multiples of the device's block size (${DIRECT_ALIGNMENT}, on some devices 4096); use page-aligned buffers (threaded: allocShared; uring: the registered pool, rt.io.pool)`,
    { op, backend, path, cause },
  );
}
