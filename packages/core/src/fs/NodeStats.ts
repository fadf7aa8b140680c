/**
 * A pktio FileStat as Node's `fs.Stats`: the fields and predicates libraries read (`size`,
 * `isFile()`, `mtime`, …). What FileStat does not carry gets the value a regular local file
 * most often has, and says so: `nlink` 1, `uid`/`gid` the process's, `rdev` 0, `blksize` 4096,
 * `ctime` = `mtime`.
 */
import type { FileStat, FileType } from "./FileStat.js";

const TYPE_BITS: Record<FileType, number> = { file: 0o100000, directory: 0o040000, symlink: 0o120000, other: 0 };

/** Node's `fs.Stats` shape over a FileStat. */
// Not `implements Stats` in the published types, for the reason NodeFileHandle gives.
export class NodeStats {
  dev: number;
  ino: number;
  /** Permission bits and the file-type bits (S_IFREG, S_IFDIR, S_IFLNK; none for other types). */
  mode: number;
  nlink = 1;
  uid: number;
  gid: number;
  rdev = 0;
  size: number;
  blksize = 4096;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
  atime: Date;
  mtime: Date;
  ctime: Date;
  birthtime: Date;
  readonly #type: FileType;

  constructor(stat: FileStat) {
    this.#type = stat.type;
    this.dev = Number(stat.device);
    this.ino = Number(stat.inode);
    this.mode = TYPE_BITS[stat.type] | stat.mode;
    const host = (globalThis as { process?: { getuid?: () => number; getgid?: () => number } }).process;
    this.uid = host?.getuid?.() ?? 0;
    this.gid = host?.getgid?.() ?? 0;
    this.size = stat.size;
    this.blocks = Math.ceil(stat.size / 512);
    this.atimeMs = stat.accessedMs;
    this.mtimeMs = stat.modifiedMs;
    this.ctimeMs = stat.modifiedMs;
    this.birthtimeMs = stat.createdMs;
    this.atime = new Date(this.atimeMs);
    this.mtime = new Date(this.mtimeMs);
    this.ctime = new Date(this.ctimeMs);
    this.birthtime = new Date(this.birthtimeMs);
  }

  isFile(): boolean {
    return this.#type === "file";
  }
  isDirectory(): boolean {
    return this.#type === "directory";
  }
  isSymbolicLink(): boolean {
    return this.#type === "symlink";
  }
  /** FileStat says only "other" for FIFOs, sockets and devices: these three answer false. */
  isFIFO(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
}
