/**
 * The file-system contract (types only: core never touches `node:fs`). `Fs` works on paths;
 * a `DirHandle` has the same operations with paths taken relative to it, and never lets a path
 * escape it (mfio's `DirHandle`).
 */
import type { FileHandle } from "./FileHandle.js";
import type { DirEntry, FileStat } from "./FileStat.js";
import type { OpenOptions } from "./OpenOptions.js";

export interface MkdirOptions {
  /** Create missing parents; an existing directory is not an error. */
  readonly recursive?: boolean;
}

export interface RemoveDirOptions {
  /** Remove the contents too. */
  readonly recursive?: boolean;
}

/** Operations shared by `Fs` (any path) and `DirHandle` (paths beneath it). */
export interface FsOps {
  open(path: string, options?: OpenOptions): Promise<FileHandle>;
  openSync(path: string, options?: OpenOptions): FileHandle;
  stat(path: string): Promise<FileStat>;
  statSync(path: string): FileStat;
  /** The entries of a directory, without "." and "..", in no particular order. */
  readDir(path: string): AsyncIterable<DirEntry>;
  readDirSync(path: string): DirEntry[];
  mkdir(path: string, options?: MkdirOptions): Promise<void>;
  mkdirSync(path: string, options?: MkdirOptions): void;
  rename(from: string, to: string): Promise<void>;
  renameSync(from: string, to: string): void;
  removeFile(path: string): Promise<void>;
  removeFileSync(path: string): void;
  removeDir(path: string, options?: RemoveDirOptions): Promise<void>;
  removeDirSync(path: string, options?: RemoveDirOptions): void;
  copyFile(from: string, to: string): Promise<void>;
  copyFileSync(from: string, to: string): void;
  /** A handle whose relative paths resolve against `path`. */
  openDir(path: string): Promise<DirHandle>;
  openDirSync(path: string): DirHandle;
}

export type Fs = FsOps;

export interface DirHandle extends FsOps {
  /** The directory's absolute path. */
  readonly path: string;
  /** Releases the handle; later calls fail with kind Closed. Idempotent. */
  close(): Promise<void>;
  closeSync(): void;
}
