/** struct statx (linux/stat.h) as the backend-neutral FileStat. */
import type { FileStat, FileType } from "@pktio/core";

export const STATX_SIZE = 256;
/** STATX_BASIC_STATS | STATX_BTIME */
export const STATX_MASK = 0x7ff | 0x800;
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_EMPTY_PATH = 0x1000;
export const AT_REMOVEDIR = 0x200;

const S_IFMT = 0o170000;

function typeOf(mode: number): FileType {
  switch (mode & S_IFMT) {
    case 0o100000:
      return "file";
    case 0o040000:
      return "directory";
    case 0o120000:
      return "symlink";
    default:
      return "other";
  }
}

/** glibc's makedev, so that `device` equals what Node's stat reports. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

function millis(view: DataView, at: number): number {
  return Number(view.getBigInt64(at, true)) * 1000 + view.getUint32(at + 8, true) / 1e6;
}

export function parseStatx(bytes: Uint8Array): FileStat {
  const view = new DataView(bytes.buffer, bytes.byteOffset, STATX_SIZE);
  const mode = view.getUint16(28, true);
  return {
    type: typeOf(mode),
    size: Number(view.getBigUint64(40, true)),
    mode: mode & 0o7777,
    accessedMs: millis(view, 64),
    createdMs: millis(view, 80),
    modifiedMs: millis(view, 112),
    inode: view.getBigUint64(32, true),
    device: makedev(view.getUint32(136, true), view.getUint32(140, true)),
  };
}

/** A NUL-terminated copy of a path, as the kernel reads it. */
export function cPath(path: string): Uint8Array {
  const encoded = Buffer.from(path + "\0", "utf8");
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
