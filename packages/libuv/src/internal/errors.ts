/** The one place the libuv backend turns Node's errors into IoErrors. */
import type { IoError } from "@pktio/core";
import { toIoErrorNamingPath } from "@pktio/core/backend";

/**
 * Node's error as an IoError with Node's message; a call on an fd (read, write, fstat …) names no
 * path there, so the file's path is added, as the other backends' messages have it.
 */
export function libuvError(error: unknown, op: string, path?: string): IoError {
  return toIoErrorNamingPath(error, { op, backend: "libuv", ...(path === undefined ? {} : { path }) });
}
