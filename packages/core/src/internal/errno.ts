/**
 * Linux errno numbers and their IoError kinds. Core cannot import node:os, and native backends
 * return bare negative numbers, so the table lives here once.
 */
import type { IoErrorKind } from "../IoError.js";

const names: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 4: "EINTR", 5: "EIO", 9: "EBADF", 11: "EAGAIN", 12: "ENOMEM",
  13: "EACCES", 14: "EFAULT", 16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 20: "ENOTDIR",
  21: "EISDIR", 22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 27: "EFBIG", 28: "ENOSPC",
  29: "ESPIPE", 30: "EROFS", 32: "EPIPE", 36: "ENAMETOOLONG", 38: "ENOSYS", 39: "ENOTEMPTY",
  40: "ELOOP", 61: "ENODATA", 75: "EOVERFLOW", 95: "EOPNOTSUPP", 98: "EADDRINUSE",
  99: "EADDRNOTAVAIL", 103: "ECONNABORTED", 104: "ECONNRESET", 107: "ENOTCONN",
  110: "ETIMEDOUT", 111: "ECONNREFUSED", 113: "EHOSTUNREACH", 125: "ECANCELED",
};

const kinds: Record<string, IoErrorKind> = {
  EPERM: "PermissionDenied", EACCES: "PermissionDenied", EROFS: "PermissionDenied",
  ENOENT: "NotFound", EEXIST: "AlreadyExists", EINTR: "Interrupted", EAGAIN: "WouldBlock",
  EWOULDBLOCK: "WouldBlock", EBUSY: "Busy", ENOTDIR: "NotADirectory", EISDIR: "IsADirectory",
  ENOTEMPTY: "DirectoryNotEmpty", ENOSPC: "NoSpace", EFBIG: "NoSpace", EMFILE: "TooManyOpenFiles",
  ENFILE: "TooManyOpenFiles", EINVAL: "InvalidInput", ENAMETOOLONG: "InvalidInput",
  EBADF: "PermissionDenied", ESPIPE: "Unsupported", ENOSYS: "Unsupported", EOPNOTSUPP: "Unsupported",
  ENOTSUP: "Unsupported", EPIPE: "BrokenPipe", ENOTCONN: "BrokenPipe", ECONNRESET: "ConnectionReset",
  ECONNABORTED: "ConnectionReset", ECONNREFUSED: "Refused", EHOSTUNREACH: "Refused",
  ETIMEDOUT: "TimedOut", ECANCELED: "Aborted", EADDRINUSE: "AddrInUse",
  EADDRNOTAVAIL: "AddrNotAvailable", EOVERFLOW: "Outside", EXDEV: "Unsupported", EOF: "UnexpectedEof",
};

export function errnoName(errno: number): string {
  return names[errno] ?? `E${errno}`;
}

const numbers: Record<string, number> = Object.fromEntries(Object.entries(names).map(([errno, name]) => [name, Number(errno)]));

/** The positive errno of a name: the inverse of `errnoName` (`"E9999"` gives 9999); undefined if unknown. */
export function errnoNumber(name: string): number | undefined {
  const bare = /^E(\d+)$/.exec(name);
  return bare === null ? numbers[name] : Number(bare[1]);
}

export function kindOfErrnoName(name: string): IoErrorKind {
  return kinds[name] ?? "Other";
}
