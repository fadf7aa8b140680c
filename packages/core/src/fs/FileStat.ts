/** File metadata and directory entries, the same shape from every backend. */

export type FileType = "file" | "directory" | "symlink" | "other";

export interface FileStat {
  readonly type: FileType;
  /** Length in bytes. */
  readonly size: number;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly modifiedMs: number;
  readonly accessedMs: number;
  readonly createdMs: number;
  readonly inode: bigint;
  readonly device: bigint;
}

export interface DirEntry {
  readonly name: string;
  readonly type: FileType;
}
