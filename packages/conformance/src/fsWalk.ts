/** Reference walks of a tree with plain `node:fs`, and the same walks through a pktio `Fs`. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { DirEntry, FsOps } from "@pktio/core";

export interface WalkedEntry {
  /** Path relative to the walk's root, with "/" separators. */
  readonly path: string;
  readonly type: DirEntry["type"];
}

function byPath(a: WalkedEntry, b: WalkedEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function walkWithNode(root: string, relative = ""): WalkedEntry[] {
  const entries: WalkedEntry[] = [];
  for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
    const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
    const type = entry.isFile() ? "file" : entry.isDirectory() ? "directory" : entry.isSymbolicLink() ? "symlink" : "other";
    entries.push({ path, type });
    if (type === "directory") entries.push(...walkWithNode(root, path));
  }
  return entries.sort(byPath);
}

/** Walks through `fs.readDir`; `prefix` joins an absolute root when `fs` is a plain Fs. */
export async function walkWith(fs: FsOps, prefix: string, relative = ""): Promise<WalkedEntry[]> {
  const entries: WalkedEntry[] = [];
  const dir = relative === "" ? (prefix === "" ? "." : prefix) : prefix === "" ? relative : `${prefix}/${relative}`;
  for await (const entry of fs.readDir(dir)) {
    const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
    entries.push({ path, type: entry.type });
    if (entry.type === "directory") entries.push(...(await walkWith(fs, prefix, path)));
  }
  return entries.sort(byPath);
}
