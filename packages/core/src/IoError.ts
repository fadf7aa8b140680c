/** IoError, its closed set of kinds, and the conversions from OS errors and thrown values. */
import { errnoDescription, errnoName, errnoNumber, kindOfErrnoName } from "./internal/errno.js";

/** Every kind an IoError can have. The set is closed: backends map into it, never extend it. */
export const IoErrorKinds = [
  "NotFound",
  "PermissionDenied",
  "AlreadyExists",
  "UnexpectedEof",
  "Outside",
  "InvalidInput",
  "Unsupported",
  "Interrupted",
  "Aborted",
  "TimedOut",
  "BrokenPipe",
  "Refused",
  "ConnectionReset",
  "AddrInUse",
  "AddrNotAvailable",
  "Closed",
  "Busy",
  "WouldBlock",
  "NotADirectory",
  "IsADirectory",
  "DirectoryNotEmpty",
  "NoSpace",
  "FileTooLarge",
  "FilesystemLoop",
  "TooManyLinks",
  "HostNotFound",
  "TooManyOpenFiles",
  // The data changed under a reader (a remote file's ETag or Last-Modified moved, ESTALE): the
  // bytes read before and after would mix two versions, so the read fails instead.
  "Stale",
  // A peer answered with data that contradicts what was asked (a Content-Range or body length
  // that does not match the request): failing is the only way never to return wrong bytes.
  "InvalidData",
  "Other",
] as const;

export type IoErrorKind = (typeof IoErrorKinds)[number];

/** Where an error came from; every field is optional and only informative. */
export interface IoErrorContext {
  /** The operation, e.g. `"read"`, `"open"`, `"splitAt"`. */
  op?: string;
  /** The backend name, e.g. `"memory"`, `"uring"`. */
  backend?: string;
  /** A path the operation concerned, when there is one. */
  path?: string;
  cause?: unknown;
}

const brand = Symbol.for("pktio.IoError");

/**
 * The one error family of pktio: a closed set of kinds, a stable `code`, and the operation and
 * backend that raised it. `instanceof IoError` holds across duplicate installs of @pktio/core
 * because the check is a `Symbol.for` brand, not prototype identity.
 */
export class IoError extends Error {
  /** What went wrong, from the closed set {@link IoErrorKinds}. */
  readonly kind: IoErrorKind;
  /** Stable code: the errno name (`"ENOENT"`) when the error came from the OS, else `ERR_PKTIO_<KIND>`. */
  readonly code: string;
  /** Positive errno number, when the error came from the OS. */
  readonly errno: number | undefined;
  readonly op: string | undefined;
  readonly backend: string | undefined;
  readonly path: string | undefined;

  constructor(kind: IoErrorKind, message: string, context: IoErrorContext & { code?: string; errno?: number } = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.kind = kind;
    this.code = context.code ?? defaultCode(kind);
    this.errno = context.errno;
    this.op = context.op;
    this.backend = context.backend;
    this.path = context.path;
  }

  override get name(): string {
    return "IoError";
  }

  /** Brand check instead of prototype identity, so two copies of @pktio/core agree; subclasses check the prototype. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== IoError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  /** True when `value` is an IoError of the given kind. */
  static is(value: unknown, kind?: IoErrorKind): value is IoError {
    return value instanceof IoError && (kind === undefined || value.kind === kind);
  }
}
Object.defineProperty(IoError.prototype, brand, { value: true });

/** Each kind's code, computed once: errors on hot paths (short reads) skip the regular expression. */
const defaultCodes = new Map<IoErrorKind, string>();

function defaultCode(kind: IoErrorKind): string {
  let code = defaultCodes.get(kind);
  if (code === undefined) {
    code = "ERR_PKTIO_" + kind.replace(/([a-z])(?=[A-Z])|([A-Z])(?=[A-Z][a-z])/g, "$1$2_").toUpperCase();
    defaultCodes.set(kind, code);
  }
  return code;
}

/**
 * Turns an OS error into an IoError: `errno` is a negative errno as native code returns it
 * (`-2`), a positive one, or its name (`"ENOENT"`).
 */
/** The system call Node names in its message for each pktio operation whose name differs. */
const SYSCALL_OF: Readonly<Record<string, string>> = {
  removeDir: "rmdir",
  removeFile: "unlink",
  readDir: "opendir",
  sync: "fsync",
  datasync: "fdatasync",
  truncate: "ftruncate",
};

/** A path as Node quotes it in messages, with control characters escaped (a message is one line). */
export function quotePath(path: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${path.replace(/[\x00-\x1f\x7f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`)}'`;
}

export function fromErrno(errno: number | string, context: IoErrorContext = {}): IoError {
  const name = typeof errno === "string" ? errno : errnoName(Math.abs(errno));
  const kind = kindOfErrnoName(name);
  const syscall = context.op === undefined ? undefined : (SYSCALL_OF[context.op] ?? context.op);
  const where = [syscall, context.path === undefined ? undefined : quotePath(context.path)]
    .filter((part) => part !== undefined)
    .join(" ");
  // Node's text, `ENOENT: no such file or directory, open '/x'` (the system call's name, the path
  // in single quotes), with one description table, so every backend says the same (design.md
  // §7; an unknown errno has no description: `E9999: open '/x'`).
  const detail = [errnoDescription(name), where === "" ? undefined : where].filter((part) => part !== undefined).join(", ");
  const message = detail === "" ? name : `${name}: ${detail}`;
  const number = typeof errno === "number" ? Math.abs(errno) : errnoNumber(name);
  return new IoError(kind, message, { ...context, code: name, ...(number === undefined ? {} : { errno: number }) });
}

/**
 * A socket call's OS error with Node's net text, `connect ECONNREFUSED 127.0.0.1:8080` or
 * `read ECONNRESET` (the system call, the errno name, the address when there is one), so that a
 * backend with its own sockets says what node:net says on the others (design.md §7).
 */
export function fromSocketErrno(errno: number | string, context: IoErrorContext & { address?: string } = {}): IoError {
  const { address, ...rest } = context;
  const base = fromErrno(errno, rest);
  const syscall = rest.op === undefined ? undefined : (SYSCALL_OF[rest.op] ?? rest.op);
  const message = [syscall, base.code, address].filter((part) => part !== undefined).join(" ");
  return new IoError(base.kind, message, { ...rest, code: base.code, ...(base.errno === undefined ? {} : { errno: base.errno }) });
}

/**
 * Any thrown value as an IoError: IoErrors pass through; Node system errors (with a string
 * `code`) map by errno name; anything else becomes kind Other with the value as `cause`.
 */
export function toIoError(value: unknown, context: IoErrorContext = {}): IoError {
  if (value instanceof IoError) return value;
  const code = typeof value === "object" && value !== null ? (value as { code?: unknown }).code : undefined;
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) {
    const error = fromErrno(code, { ...context, cause: value });
    // Node's own message ("ENOENT: no such file or directory, open '/x'") says more than ours.
    if (value instanceof Error && value.message !== "") error.message = value.message;
    return error;
  }
  const message = value instanceof Error ? value.message : String(value);
  return new IoError("Other", message, { ...context, cause: value });
}
