/** Node's bigint stats (or any object of that shape) as the backend-neutral FileStat. */
import type { FileStat, FileType } from "./FileStat.js";

/** What `fs.stat(path, { bigint: true })` returns, as far as FileStat needs it. */
export interface BigIntStatsLike {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  readonly size: bigint;
  readonly mode: bigint;
  readonly mtimeMs: bigint;
  readonly atimeMs: bigint;
  readonly birthtimeMs: bigint;
  readonly ino: bigint;
  readonly dev: bigint;
}

/** The type of a stats object or a directory entry. */
export function fileTypeOf(entry: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileType {
  return entry.isFile() ? "file" : entry.isDirectory() ? "directory" : entry.isSymbolicLink() ? "symlink" : "other";
}

export function fileStatOf(stats: BigIntStatsLike): FileStat {
  return {
    type: fileTypeOf(stats),
    size: Number(stats.size),
    mode: Number(stats.mode & 0o7777n),
    modifiedMs: Number(stats.mtimeMs),
    accessedMs: Number(stats.atimeMs),
    createdMs: Number(stats.birthtimeMs),
    inode: stats.ino,
    device: stats.dev,
  };
}
