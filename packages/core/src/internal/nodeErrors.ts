/**
 * Errors shaped as Node's, for the FileHandle facade: libraries written for `fs.promises` test
 * `error.code` ("EBADF", "ERR_OUT_OF_RANGE") and sometimes `syscall`, so the facade's errors
 * carry them while staying IoErrors of the pktio kind.
 */
import { IoError } from "../IoError.js";
import { errnoDescription, errnoNumber } from "./errno.js";

/** An error with Node's extra fields. */
export type NodeShapedError = IoError & { readonly syscall: string };

// pktio's own codes for conditions Node reports through the OS: a closed handle and a transfer in
// the direction the file was not opened for are both EBADF to Node.
const NODE_CODE_OF_KIND: Partial<Record<IoError["kind"], string>> = {
  Closed: "EBADF",
  PermissionDenied: "EBADF",
  InvalidInput: "EINVAL",
  Unsupported: "ENOTSUP",
  TimedOut: "ETIMEDOUT",
  Aborted: "ABORT_ERR",
};

/**
 * `error` as the facade throws it: an IoError of the same kind whose `code` is Node's errno name
 * (kept when it already is one) and with `syscall`. Errors that are not IoErrors (a TypeError of
 * the facade's own argument checks) pass unchanged.
 */
export function nodeShaped(error: unknown, syscall: string): unknown {
  if (!(error instanceof IoError)) return error;
  if (/^E[A-Z0-9]+$/.test(error.code)) return withSyscall(error, syscall);
  const code = NODE_CODE_OF_KIND[error.kind];
  if (code === undefined) return withSyscall(error, syscall);
  const errno = errnoNumber(code);
  const shaped = new IoError(error.kind, `${code}: ${errnoDescription(code) ?? error.message}, ${syscall} (${error.message})`, {
    code,
    ...(errno === undefined ? {} : { errno }),
    op: syscall,
    ...(error.backend === undefined ? {} : { backend: error.backend }),
    ...(error.path === undefined ? {} : { path: error.path }),
    cause: error,
  });
  return withSyscall(shaped, syscall);
}

/**
 * Node's error for any call on a closed FileHandle ("file closed", EBADF, kind Closed), or with
 * `reason`, the OS's EBADF for a direction the handle was not opened for (kind PermissionDenied).
 */
export function fileClosed(syscall: string, path: string, reason?: string): NodeShapedError {
  const error = reason === undefined
    ? new IoError("Closed", "file closed", { code: "EBADF", errno: 9, op: syscall, path })
    : new IoError("PermissionDenied", `EBADF: ${reason}, ${syscall}`, { code: "EBADF", errno: 9, op: syscall, path });
  return withSyscall(error, syscall);
}

function withSyscall(error: IoError, syscall: string): NodeShapedError {
  if (!Object.hasOwn(error, "syscall")) Object.defineProperty(error, "syscall", { value: syscall, enumerable: true, configurable: true });
  return error as NodeShapedError;
}

/**
 * Node's AbortError for an aborted facade call (`code` ABORT_ERR, `name` "AbortError", the
 * signal's reason as `cause`), as an IoError of kind Aborted.
 */
export function abortedBy(signal: AbortSignal, syscall: string, path: string): NodeShapedError {
  const error = new IoError("Aborted", "The operation was aborted", { code: "ABORT_ERR", op: syscall, path, cause: signal.reason });
  Object.defineProperty(error, "name", { value: "AbortError", enumerable: false, configurable: true });
  return withSyscall(error, syscall);
}

/** Node's ERR_INVALID_STATE, an Error. */
export function invalidState(reason: string): Error {
  return coded(new Error(`Invalid state: ${reason}`), "ERR_INVALID_STATE");
}

/** Node's ERR_METHOD_NOT_IMPLEMENTED, an Error. */
export function methodNotImplemented(method: string): Error {
  return coded(new Error(`The ${method} method is not implemented`), "ERR_METHOD_NOT_IMPLEMENTED");
}

/** Node's ERR_FS_FILE_TOO_LARGE, a RangeError: `readFile` of more than 2 GiB - 1. */
export function fileTooLarge(size: number): RangeError {
  return coded(new RangeError(`File size (${size}) is greater than 2 GiB`), "ERR_FS_FILE_TOO_LARGE");
}

/** Node's ERR_OUT_OF_RANGE, a RangeError. */
export function outOfRange(name: string, range: string, received: unknown): RangeError {
  return coded(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(received)}`), "ERR_OUT_OF_RANGE");
}

/** Node's ERR_INVALID_ARG_TYPE, a TypeError. */
export function invalidArgType(name: string, expected: string, received: unknown): TypeError {
  // Node's wording: "options.flush" is a property, "data" an argument.
  return coded(new TypeError(`The "${name}" ${name.includes(".") ? "property" : "argument"} must be ${expected}. Received ${describeReceived(received)}`), "ERR_INVALID_ARG_TYPE");
}

/** Node's ERR_INVALID_ARG_VALUE, a TypeError. */
export function invalidArgValue(name: string, reason: string, received: unknown): TypeError {
  return coded(new TypeError(`The argument '${name}' ${reason}. Received ${describeReceived(received)}`), "ERR_INVALID_ARG_VALUE");
}

/** Node's integer check: a number, an integer, within `min` and `max`. */
export function validateInteger(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number") throw invalidArgType(name, "of type number", value);
  if (!Number.isInteger(value)) throw outOfRange(name, "an integer", value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  return value;
}

function coded<E extends Error>(error: E, code: string): E {
  Object.defineProperty(error, "code", { value: code, enumerable: true, configurable: true });
  return error;
}

function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return `an instance of ${(value as object).constructor?.name ?? "Object"}`;
  if (typeof value === "string") return `type string (${JSON.stringify(value.length > 25 ? value.slice(0, 25) + "..." : value)})`;
  return `type ${typeof value} (${String(value)})`;
}
