/**
 * The one way a request's URL becomes a path beneath the served root. The raw path is checked
 * before and after percent-decoding: an encoded slash or backslash (`%2f`, `%5c`), a backslash,
 * a NUL (raw or `%00`), a malformed escape, and any `.` or `..` segment are refused outright, so
 * what reaches the runtime's directory handle is a plain relative path of names. The directory
 * handle then refuses symlinks that lead outside (design.md §8), which no URL check can see.
 */

/** A request path that may not be served; `status` is the HTTP answer (400, or 404 for a reserved name). */
export class BadPath extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = "BadPath";
    this.status = status;
  }
}

/**
 * The prefix of upload files in progress (putFile): a name that starts with it is the server's,
 * not a member. It is left out of listings and answered 404, so that no client reads, deletes or
 * moves an upload before it is renamed into place.
 */
export const UPLOAD_PREFIX = ".pktio-upload-";

/**
 * Whether a directory entry can be named by a request path: not an upload in progress, and no
 * backslash (a request path may not hold one, so such a member could be listed but never reached).
 */
export function isServableName(name: string): boolean {
  return !name.startsWith(UPLOAD_PREFIX) && !name.includes("\\");
}

/** A path beneath the root: its names, and the relative path the directory handle takes. */
export interface RootPath {
  /** Decoded names from the root down; empty for the root itself. */
  readonly names: readonly string[];
  /** `names` joined with "/", or "." for the root. */
  readonly relative: string;
  /** True when the URL ended with "/" (a collection was named). */
  readonly trailingSlash: boolean;
}

/** Longest request path accepted, in characters (Linux's PATH_MAX). */
const MAX_PATH = 4096;

/** Checks and decodes the path part of a request target such as "/a/b%20c.txt?x=1". */
export function rootPath(target: string): RootPath {
  // RFC 9112 §3.2.2: a server accepts the absolute form (proxies send it); the authority is not checked.
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
  if (absolute !== null) target = target.slice(absolute[0].length) || "/";
  if (!target.startsWith("/")) throw new BadPath("the request target must be an absolute path");
  const query = target.search(/[?#]/);
  const raw = query < 0 ? target : target.slice(0, query);
  if (raw.length > MAX_PATH) throw new BadPath("the path is too long");
  if (raw.includes("\\")) throw new BadPath("a backslash in the path");
  if (/%(?:2f|5c|00)/i.test(raw)) throw new BadPath("an encoded slash, backslash or NUL in the path");
  const names: string[] = [];
  for (const segment of raw.split("/")) {
    if (segment === "") continue;
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      throw new BadPath("a malformed percent-encoding in the path");
    }
    if (name.includes("\0")) throw new BadPath("a NUL in the path");
    if (name === "." || name === "..") throw new BadPath("a '.' or '..' segment in the path");
    if (name.startsWith(UPLOAD_PREFIX)) throw new BadPath("no such resource (an upload in progress)", 404);
    names.push(name);
  }
  return { names, relative: names.length === 0 ? "." : names.join("/"), trailingSlash: raw.endsWith("/") };
}

/** The URL path of `names`, each percent-encoded; collections end with "/". */
export function hrefOf(names: readonly string[], collection: boolean): string {
  const path = "/" + names.map((name) => encodeURIComponent(name)).join("/");
  return collection && names.length > 0 ? path + "/" : path;
}
