/** Whether two stats name one file. */
import type { FileStat } from "./FileStat.js";

/** Whether two stats are one file (device and inode; a backend without inodes says 0: never the same). */
export function sameFile(a: FileStat, b: FileStat): boolean {
  return a.inode !== 0n && a.inode === b.inode && a.device === b.device;
}
