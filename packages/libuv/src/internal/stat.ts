/** Node's bigint stats as the backend-neutral FileStat. */
import type { BigIntStats, Dirent } from "node:fs";
import type { FileStat, FileType } from "@pktio/core";

export function toFileStat(stats: BigIntStats): FileStat {
  return {
    type: stats.isFile() ? "file" : stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : "other",
    size: Number(stats.size),
    mode: Number(stats.mode & 0o7777n),
    modifiedMs: Number(stats.mtimeMs),
    accessedMs: Number(stats.atimeMs),
    createdMs: Number(stats.birthtimeMs),
    inode: stats.ino,
    device: stats.dev,
  };
}

export function direntType(entry: Dirent): FileType {
  return entry.isFile() ? "file" : entry.isDirectory() ? "directory" : entry.isSymbolicLink() ? "symlink" : "other";
}
