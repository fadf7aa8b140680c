/**
 * Confinement of a directory handle's path, component by component, as a program over two file
 * system questions (`lstat`, `readlink`) that each backend answers with its own calls, sync or
 * async. Every symlink met on the way is followed by hand: its target must stay beneath the real
 * root (a dangling one too: `open("link", { create: true })` would create its target). The walk
 * stops at the first component that does not exist; what is left is created beneath it or fails.
 */
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { fromErrno, IoError } from "../IoError.js";
import { isBeneath, resolveBeneath } from "./paths.js";

/** A question the walk asks; the answer is what the backend's call returned. */
export type ConfineQuestion = { readonly ask: "lstat"; readonly path: string } | { readonly ask: "readlink"; readonly path: string };

/** The answer to `lstat`: the kind of entry, or "missing" (ENOENT) and "other-error" (left for the operation itself to report). */
export type LstatAnswer = "symlink" | "directory" | "file" | "missing" | "other-error";

/** What the walk found: the lexical path to operate on, and whether its last component is a symlink (inside the root). */
export interface Confined {
  readonly path: string;
  readonly lastIsSymlink: boolean;
}

/** Linux's limit on symlinks followed in one resolution (ELOOP beyond it). */
const MAX_HOPS = 40;

/**
 * Resolves `path` beneath `root` (lexically, as `resolveBeneath`) and walks it from `realRoot`.
 * With `followLast` false (rename, remove, mkdir act on the entry itself), a symlink as the last
 * component is not followed. Throws PermissionDenied for any symlink leading outside.
 */
export function* confineWalk(root: string, realRoot: string, path: string, op: string, followLast: boolean): Generator<ConfineQuestion, Confined, string> {
  const absolute = resolveBeneath(root, path, op);
  // ".", "a/..": the root itself. Its entry lives in the parent directory, outside the handle:
  // removing or renaming it (or making it) would act there.
  if (!followLast && absolute === resolveBeneath(root, ".", op)) {
    throw new IoError("InvalidInput", `${op}: ${JSON.stringify(path)} names the directory itself, whose entry is outside it; a directory handle cannot remove, rename or make its own root`, { op, path });
  }
  const escapes = (): IoError => new IoError("PermissionDenied", `${op}: ${JSON.stringify(path)} leads outside its directory through a symlink`, { op, path });
  const pending = components(relative(root, absolute));
  let current = realRoot;
  let hops = 0;
  let lastIsSymlink = false;
  // The caller's own components are always the tail of `pending` (symlink targets go in front).
  let originalsLeft = pending.length;
  while (pending.length > 0) {
    const original = pending.length === originalsLeft;
    if (original) originalsLeft--;
    const isLast = original && originalsLeft === 0;
    const name = pending.shift() as string;
    if (name === "." || name === "") continue;
    if (name === "..") {
      // Only a symlink's target brings ".." here (the caller's path was normalised).
      if (current === realRoot || !isBeneath(realRoot, current)) throw escapes();
      current = join(current, "..");
      continue;
    }
    const next = join(current, name);
    const kind = (yield { ask: "lstat", path: next }) as LstatAnswer;
    if (kind === "missing" || kind === "other-error") {
      // The rest does not exist yet: it is created beneath `next`, or the operation fails.
      if (!isBeneath(realRoot, normalize(join(next, ...pending)))) throw escapes();
      return { path: absolute, lastIsSymlink: false };
    }
    if (isLast) lastIsSymlink = kind === "symlink";
    if (kind !== "symlink" || (isLast && !followLast)) {
      current = next;
      continue;
    }
    if (++hops > MAX_HOPS) throw fromErrno("ELOOP", { op, path });
    const target = yield { ask: "readlink", path: next };
    if (isAbsolute(target)) {
      const normal = normalize(target);
      if (!isBeneath(realRoot, normal)) throw escapes();
      current = realRoot;
      pending.unshift(...components(relative(realRoot, normal)));
    } else {
      pending.unshift(...components(target));
    }
  }
  if (!isBeneath(realRoot, current)) throw escapes();
  return { path: absolute, lastIsSymlink };
}

function components(path: string): string[] {
  return path.split(sep).filter((part) => part !== "");
}
