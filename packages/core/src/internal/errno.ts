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
  6: "ENXIO", 26: "ETXTBSY", 31: "EMLINK", 116: "ESTALE", 97: "EAFNOSUPPORT", 101: "ENETUNREACH",
};

// What each errno means, in libuv's words (uv_strerror, which Node's own messages use), so an
// error says the same thing whichever backend raised it: native backends report a bare number.
const descriptions: Record<string, string> = {
  EPERM: "operation not permitted", ENOENT: "no such file or directory", EINTR: "interrupted system call",
  EIO: "i/o error", EBADF: "bad file descriptor", EAGAIN: "resource temporarily unavailable",
  ENOMEM: "not enough memory", EACCES: "permission denied", EFAULT: "bad address in system call argument",
  EBUSY: "resource busy or locked", EEXIST: "file already exists", EXDEV: "cross-device link not permitted",
  ENOTDIR: "not a directory", EISDIR: "illegal operation on a directory", EINVAL: "invalid argument",
  ENFILE: "file table overflow", EMFILE: "too many open files", EFBIG: "file too large",
  ENOSPC: "no space left on device", ESPIPE: "invalid seek", EROFS: "read-only file system",
  EMLINK: "too many links", EPIPE: "broken pipe", ENAMETOOLONG: "name too long",
  ENOSYS: "function not implemented", ENOTEMPTY: "directory not empty",
  ELOOP: "too many symbolic links encountered", ENODATA: "no data available",
  EOVERFLOW: "value too large for defined data type", EOPNOTSUPP: "operation not supported on socket",
  ENOTSUP: "operation not supported on socket", EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available", ECONNABORTED: "software caused connection abort",
  ECONNRESET: "connection reset by peer", ENOTCONN: "socket is not connected", ETIMEDOUT: "connection timed out",
  ECONNREFUSED: "connection refused", EHOSTUNREACH: "host is unreachable", ECANCELED: "operation canceled",
  ENXIO: "no such device or address", ETXTBSY: "text file is busy", EOF: "end of file",
  ENOTFOUND: "host not found", ESTALE: "stale file handle",
  EAFNOSUPPORT: "address family not supported", ENETUNREACH: "network is unreachable",
};

const kinds: Record<string, IoErrorKind> = {
  EPERM: "PermissionDenied", EACCES: "PermissionDenied", EROFS: "PermissionDenied",
  ENOENT: "NotFound", EEXIST: "AlreadyExists", EINTR: "Interrupted", EAGAIN: "WouldBlock",
  EWOULDBLOCK: "WouldBlock", EBUSY: "Busy", ENOTDIR: "NotADirectory", EISDIR: "IsADirectory",
  ENOTEMPTY: "DirectoryNotEmpty", ENOSPC: "NoSpace", EFBIG: "FileTooLarge", EMFILE: "TooManyOpenFiles",
  ENFILE: "TooManyOpenFiles", EINVAL: "InvalidInput", ENAMETOOLONG: "InvalidInput",
  EBADF: "PermissionDenied", ESPIPE: "Unsupported", ENOSYS: "Unsupported", EOPNOTSUPP: "Unsupported",
  ENOTSUP: "Unsupported", EPIPE: "BrokenPipe", ENOTCONN: "BrokenPipe", ECONNRESET: "ConnectionReset",
  ECONNABORTED: "ConnectionReset", ECONNREFUSED: "Refused", EHOSTUNREACH: "Refused",
  ETIMEDOUT: "TimedOut", ECANCELED: "Aborted", EADDRINUSE: "AddrInUse",
  EADDRNOTAVAIL: "AddrNotAvailable", EOVERFLOW: "Outside", EXDEV: "Unsupported", EOF: "UnexpectedEof",
  ELOOP: "FilesystemLoop", EMLINK: "TooManyLinks", ENOTFOUND: "HostNotFound", EAI_NONAME: "HostNotFound",
  ESTALE: "Stale", EAFNOSUPPORT: "InvalidInput", ENETUNREACH: "Refused",
};

/** The errno's name (`"ENOENT"`), or `"E<n>"` for a number outside the table. */
export function errnoName(errno: number): string {
  return names[errno] ?? `E${errno}`;
}

const numbers: Record<string, number> = Object.fromEntries(Object.entries(names).map(([errno, name]) => [name, Number(errno)]));

/** The positive errno of a name: the inverse of `errnoName` (`"E9999"` gives 9999); undefined if unknown. */
export function errnoNumber(name: string): number | undefined {
  const bare = /^E(\d+)$/.exec(name);
  return bare === null ? numbers[name] : Number(bare[1]);
}

/** What the errno means (`"no such file or directory"`); undefined for a name outside the table. */
export function errnoDescription(name: string): string | undefined {
  return descriptions[name];
}

/** The IoError kind of an errno name; Other for a name outside the table. */
export function kindOfErrnoName(name: string): IoErrorKind {
  return kinds[name] ?? "Other";
}
