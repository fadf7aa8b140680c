/**
 * Node's error as an IoError with Node's message, the file's path added where Node names none (a
 * call on an fd: read, write, ftruncate …), so an OS error reads the same on every backend
 * (design.md §7: `EINVAL: invalid argument, ftruncate '/x'`).
 */
import { IoError, quotePath, toIoError, type IoErrorContext } from "../IoError.js";

/** `toIoError(error, context)`, with `context.path` quoted onto an OS error's message that lacks it. */
export function toIoErrorNamingPath(error: unknown, context: IoErrorContext): IoError {
  const mapped = toIoError(error, context);
  const path = context.path;
  if (path !== undefined && mapped.errno !== undefined && !mapped.message.includes(path)) mapped.message += ` ${quotePath(path)}`;
  return mapped;
}
