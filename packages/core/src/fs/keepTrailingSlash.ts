import { IoError } from "../IoError.js";

/**
 * A path that ends with "/" (or "/.") names a directory: open(2) and stat(2) of `a.txt/` fail
 * ENOTDIR. Resolving a path drops that slash, and with it the check, so `stat("a.txt/")`
 * answered for the file; backends put the slash back on the resolved path and let the OS judge.
 */

/** `resolved`, with a trailing "/" again when `given` ended with "/" or "/." (the root stays "/"). */
export function keepTrailingSlash(given: string, resolved: string): string {
  return /\/\.?$/.test(given) && !resolved.endsWith("/") ? `${resolved}/` : resolved;
}

/**
 * A confined entry's path with its trailing slash kept (as `keepTrailingSlash`), for an operation
 * that did (`followLast`) or did not follow the last component. The slash makes the OS follow a
 * last symlink, whose target the walk checked only when following: for an operation on the entry
 * itself (rmdir, unlink, rename) a slashed symlink is refused NotADirectory, as rmdir("link/") is.
 */
export function slashedEntry(given: string, op: string, followLast: boolean, entry: { readonly path: string; readonly lastIsSymlink: boolean }): string {
  if (followLast || !entry.lastIsSymlink) return keepTrailingSlash(given, entry.path);
  if (!/\/\.?$/.test(given)) return entry.path;
  throw new IoError("NotADirectory", `ENOTDIR: not a directory, ${op} '${given}'`, { op, path: given, code: "ENOTDIR" });
}
