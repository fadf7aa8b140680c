/**
 * Paths of a WebDAV file system: a path names resources beneath the Fs's root URL, as a list of
 * names. It is resolved lexically (`.` dropped, `..` climbs) and may never climb above the root:
 * the URL can only ever name resources under the root it was opened with (or, for a directory
 * handle, under that directory). Each name is percent-encoded on its own, so a name with `/`,
 * `?`, `#` or `%` stays one name.
 */
import { IoError } from "@pktio/core";
import { checkPath } from "@pktio/core/backend";
import { BACKEND } from "./davRequest.js";

/**
 * The names `path` designates beneath `base` (the names of the handle's own directory).
 * `relativeOnly` (directory handles) refuses absolute paths, as every pktio directory handle does.
 */
export function resolveNames(base: readonly string[], path: string, op: string, relativeOnly: boolean): string[] {
  checkPath(path, "path", op);
  if (relativeOnly && path.startsWith("/")) throw new IoError("InvalidInput", `${op}: ${JSON.stringify(path)} is absolute; a directory handle takes relative paths`, { op, path, backend: BACKEND });
  // Only a top-level Fs (base []) takes absolute paths: both forms name the same resources.
  const names = [...base];
  const floor = base.length;
  for (const name of path.split("/")) {
    if (name === "" || name === ".") continue;
    if (name === "..") {
      if (names.length <= floor) throw new IoError("InvalidInput", `${op}: ${JSON.stringify(path)} escapes its directory`, { op, path, backend: BACKEND });
      names.pop();
      continue;
    }
    names.push(name);
  }
  return names;
}

/** The URL of `names` beneath `root` (which ends with "/"); collections get a trailing slash. */
export function urlOf(root: URL, names: readonly string[], collection = false): URL {
  const url = new URL(root.href);
  url.pathname = root.pathname + names.map((name) => encodeURIComponent(name)).join("/") + (collection && names.length > 0 ? "/" : "");
  url.search = "";
  url.hash = "";
  return url;
}

/** The decoded URL path of `names` beneath `root`, as `parseMultistatus` reports paths (no trailing slash). */
export function pathOf(root: URL, names: readonly string[]): string {
  const rootPath = decodeURIComponent(root.pathname);
  const joined = rootPath + names.join("/");
  return joined.length > 1 && joined.endsWith("/") ? joined.slice(0, -1) : joined;
}
