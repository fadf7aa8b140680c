/** The one place the libuv backend turns Node's errors into IoErrors. */
import { toIoError, type IoError } from "@pktio/core";

export function libuvError(error: unknown, op: string, path?: string): IoError {
  return toIoError(error, { op, backend: "libuv", ...(path === undefined ? {} : { path }) });
}
