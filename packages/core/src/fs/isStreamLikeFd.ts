/**
 * Whether an fd is stream-like: a FIFO, a socket or a character device. Its reads take the bytes
 * that are there (fewer than asked before its end, or none for ever), its positions mean nothing,
 * and a read may wait without end; a regular file's read is short only at its end. One fstat.
 */
import { nodeBuiltin } from "../internal/nodeBuiltin.js";

/** True for a FIFO, socket or character device; false for anything else, or an fd fstat refuses. */
export function isStreamLikeFd(fd: number): boolean {
  try {
    const stats = nodeBuiltin("node:fs").fstatSync(fd);
    return stats.isFIFO() || stats.isSocket() || stats.isCharacterDevice();
  } catch {
    return false; // a closed or odd fd: its transfers report the error themselves
  }
}
