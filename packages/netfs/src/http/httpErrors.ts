/**
 * HTTP statuses and undici's network errors as IoError kinds: the one table of the http backend.
 * A status pktio retries (5xx, 429) keeps its kind after the last attempt; the message says how
 * many attempts were made.
 */
import { IoError, toIoError, type IoErrorKind } from "@pktio/core";

const BACKEND = "http";

/** The kind of a final (non-redirect, non-success) status. */
export function kindOfStatus(status: number): IoErrorKind {
  switch (status) {
    case 400:
      return "InvalidInput";
    case 401:
    case 403:
    case 407:
      return "PermissionDenied";
    case 404:
    case 410:
      return "NotFound";
    case 405:
    case 501:
    case 505:
      return "Unsupported";
    case 408:
    case 504:
      return "TimedOut";
    case 412:
      return "Stale";
    case 416:
      return "UnexpectedEof";
    case 429:
    case 503:
      return "Busy";
    case 502:
      return "ConnectionReset";
    default:
      return "Other";
  }
}

/** Statuses worth another attempt of an idempotent GET/HEAD. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** The IoError of a final status; `attempts` > 1 is said in the message. */
export function statusError(status: number, op: string, where: string, attempts = 1): IoError {
  const tried = attempts > 1 ? ` after ${attempts} attempts` : "";
  return new IoError(kindOfStatus(status), `${op} ${where}: HTTP ${status}${tried}`, { op, backend: BACKEND, path: where });
}

const UNDICI_KINDS: Record<string, IoErrorKind> = {
  UND_ERR_SOCKET: "ConnectionReset",
  UND_ERR_CONNECT_TIMEOUT: "TimedOut",
  UND_ERR_HEADERS_TIMEOUT: "TimedOut",
  UND_ERR_BODY_TIMEOUT: "TimedOut",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "InvalidData",
  UND_ERR_RES_EXCEEDED_MAX_SIZE: "InvalidData",
  UND_ERR_INFO: "InvalidData",
  // A response head past undici's limit: a reply no HTTP client takes, not a network fault.
  UND_ERR_HEADERS_OVERFLOW: "InvalidData",
  UND_ERR_ABORTED: "Aborted",
  UND_ERR_CLOSED: "Closed",
  UND_ERR_DESTROYED: "Closed",
  UND_ERR_INVALID_ARG: "InvalidInput",
  UND_ERR_NOT_SUPPORTED: "Unsupported",
};

/** Kinds of network failure that another attempt may cure. */
const RETRYABLE_KINDS = new Set<IoErrorKind>(["ConnectionReset", "TimedOut", "Refused", "BrokenPipe", "InvalidData"]);

/** A thrown undici or socket error as an IoError; HTTP parser errors (`HPE_*`) are InvalidData. */
export function networkError(error: unknown, op: string, where: string): IoError {
  if (error instanceof IoError) return error;
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  // undici 7's HTTPParserError (a bad status line, a negative Content-Length, a bad chunk size)
  // carries no `code`: its name says what it is.
  if (error instanceof Error && error.name === "HTTPParserError") {
    return new IoError("InvalidData", `${op} ${where}: the response does not parse as HTTP/1.1: ${message}`, { op, backend: BACKEND, path: where, cause: error });
  }
  if (typeof code === "string") {
    const kind = UNDICI_KINDS[code] ?? (code.startsWith("HPE_") ? "InvalidData" : undefined);
    if (kind !== undefined) {
      // undici wraps the socket's own error (ECONNRESET, EPIPE) as its cause: name that one.
      return new IoError(kind, `${op} ${where}: ${message}`, { op, backend: BACKEND, path: where, cause: error });
    }
  }
  // TLS refusals (an untrusted, expired or misnamed certificate) are final: PermissionDenied.
  if (typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|^ERR_TLS_/.test(code)) {
    return new IoError("PermissionDenied", `${op} ${where}: TLS: ${message}`, { op, backend: BACKEND, path: where, code, cause: error });
  }
  const mapped = toIoError(error, { op, backend: BACKEND, path: where });
  if (mapped.kind === "Other" && error instanceof Error && error.name === "AbortError") {
    return new IoError("Aborted", `${op} ${where} was aborted`, { op, backend: BACKEND, path: where, cause: error });
  }
  if (!mapped.message.includes(where)) mapped.message = `${op} ${where}: ${mapped.message}`;
  return mapped;
}

/** Whether a failed attempt (network error or lying body) may be retried. */
export function isRetryableError(error: IoError): boolean {
  return RETRYABLE_KINDS.has(error.kind);
}

/** An answer that contradicts the request: never retried into wrong bytes, failed InvalidData. */
export function invalidData(op: string, where: string, detail: string): IoError {
  return new IoError("InvalidData", `${op} ${where}: ${detail}`, { op, backend: BACKEND, path: where });
}

/** The remote file is not the version opened: kind Stale. */
export function staleError(op: string, where: string, detail: string): IoError {
  return new IoError("Stale", `${op} ${where}: the remote file changed since it was opened (${detail})`, { op, backend: BACKEND, path: where });
}

/** The final error of a retried request says how many attempts it took (once). */
export function withAttempts(error: IoError, attempts: number): IoError {
  if (error.message.includes(" attempts")) return error;
  return new IoError(error.kind, `${error.message} (after ${attempts} attempts)`, { op: error.op ?? "read", backend: BACKEND, ...(error.path === undefined ? {} : { path: error.path }), cause: error.cause ?? error, code: error.code });
}
