/**
 * The error of a socket operation whose buffer the caller detached (transferred away) while the
 * operation waited or was in flight: kind InvalidInput, as for files. A buffer belongs to the I/O
 * system until its operation settles; a backend that finds one detached fails that operation
 * only (bytes a receive already took are kept for the next one) and carries on with the rest.
 */
import { IoError } from "../IoError.js";

/** `op` ("read", "write", "recvFrom", "send"), `when` ("before it started", "while it was in flight"). */
export function detachedError(op: string, backend: string, when: string): IoError {
  return new IoError("InvalidInput", `${op}: the buffer was detached ${when}; a buffer belongs to the I/O system until its operation settles`, { op, backend });
}
