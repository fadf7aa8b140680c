/**
 * A path that ends with "/" (or "/.") names a directory: open(2) and stat(2) of `a.txt/` fail
 * ENOTDIR. Resolving a path drops that slash, and with it the check, so `stat("a.txt/")`
 * answered for the file; backends put the slash back on the resolved path and let the OS judge.
 */

/** `resolved`, with a trailing "/" again when `given` ended with "/" or "/." (the root stays "/"). */
export function keepTrailingSlash(given: string, resolved: string): string {
  return /\/\.?$/.test(given) && !resolved.endsWith("/") ? `${resolved}/` : resolved;
}
