/**
 * The last check of an open beneath a directory handle's root. The walk that confines a path
 * and the open that follows are two steps, and a local process can swap a directory for a
 * symlink out between them (a helper won that race hundreds of times in 8 s against
 * `pktio serve`). Once the fd exists, the kernel says which file it is: `/proc/self/fd/N` names
 * its real path now, so a file reached outside the root is refused before anyone reads it.
 */
import { IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";
import { isBeneath } from "./paths.js";

/** An fd opened beneath a root that is not there: the error to throw, and where the file really is. */
export interface OpenedOutside {
  readonly error: IoError;
  /** The opened file's real path: what an exclusive create made outside, for the caller to remove. */
  readonly actual: string;
}

/**
 * For an fd opened beneath `realRoot` that is not there, the error (the caller closes the fd,
 * removes the file if its exclusive create made it, and throws); undefined when it is beneath,
 * or when the system cannot tell (no /proc).
 */
export function openedOutside(fd: number, realRoot: string, path: string, op: string, backend: string): OpenedOutside | undefined {
  const actual = realPathOfFd(fd);
  if (actual === undefined || isBeneath(realRoot, actual)) return undefined;
  const error = new IoError("PermissionDenied", `${op}: ${JSON.stringify(path)} leads outside its directory: what was opened is not beneath the root (a symlink swapped in while it was opened)`, { op, backend, path });
  return { error, actual };
}

/** The real path of what `fd` holds, as /proc/self/fd says it now; undefined without /proc. */
export function realPathOfFd(fd: number): string | undefined {
  try {
    return nodeBuiltin("node:fs").readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}
