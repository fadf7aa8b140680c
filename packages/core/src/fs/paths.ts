/**
 * Path confinement for directory handles: a relative path resolves beneath its root and may not
 * climb out of it, lexically. (Symlinks are checked by the backend, which can see the disk.)
 */
import { IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";

/** The absolute path of `path` beneath `root`; kind InvalidInput if it is absolute or escapes. */
export function resolveBeneath(root: string, path: string, op: string): string {
  checkPath(path, "path", op);
  const { isAbsolute, normalize, resolve, sep } = nodeBuiltin("node:path");
  if (isAbsolute(path)) throw new IoError("InvalidInput", `${op}: ${JSON.stringify(path)} is absolute; a directory handle takes relative paths`, { op, path });
  const normal = normalize(path);
  if (normal === ".." || normal.startsWith(".." + sep)) {
    throw new IoError("InvalidInput", `${op}: ${JSON.stringify(path)} escapes its directory`, { op, path });
  }
  return resolve(root, normal);
}

/** True when `inner` is `outer` or lies beneath it (both absolute and normalised). */
export function isBeneath(outer: string, inner: string): boolean {
  const { sep } = nodeBuiltin("node:path");
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/** A path argument: a non-empty string without NUL bytes. */
export function checkPath(path: unknown, name: string, op: string): string {
  if (typeof path !== "string") throw new TypeError(`${op}: ${name} must be a string, got ${typeof path}`);
  if (path.length === 0) throw new IoError("InvalidInput", `${op}: ${name} is empty`, { op });
  if (path.includes("\0")) throw new IoError("InvalidInput", `${op}: ${name} contains a NUL byte`, { op });
  return path;
}
