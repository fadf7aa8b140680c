/**
 * The one way a request's URL becomes a path beneath the served root. The raw path is checked
 * before and after percent-decoding: an encoded slash or backslash (`%2f`, `%5c`), a backslash,
 * a NUL (raw or `%00`), a malformed escape, and any `.` or `..` segment are refused outright, so
 * what reaches the runtime's directory handle is a plain relative path of names. The directory
 * handle then refuses symlinks that lead outside (design.md §8), which no URL check can see.
 */

/** A request path that may not be served; `status` is the HTTP answer (400). */
export class BadPath extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = "BadPath";
  }
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
    names.push(name);
  }
  return { names, relative: names.length === 0 ? "." : names.join("/"), trailingSlash: raw.endsWith("/") };
}

/** The URL path of `names`, each percent-encoded; collections end with "/". */
export function hrefOf(names: readonly string[], collection: boolean): string {
  const path = "/" + names.map((name) => encodeURIComponent(name)).join("/");
  return collection && names.length > 0 ? path + "/" : path;
}
