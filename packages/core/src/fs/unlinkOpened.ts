/**
 * Removes a file that an open beneath a root created outside it, without letting a swapped path
 * aim the removal at someone else's file. The file's real path (what `/proc/self/fd/N` named)
 * is only a path: its directories can be swapped for symlinks again before the unlink, and
 * `unlink(actual)` would then remove whatever entry of that name the new path leads to (as
 * root, in any directory). So the directory is opened first and the entry is looked at and
 * removed through that fd (`/proc/self/fd/D/name` resolves to the opened directory itself,
 * however it is renamed or replaced), and only when it is still the very file (device and
 * inode) the open created. A directory whose entry is ours can be written by whoever swapped
 * things only if it is theirs: what they can make us remove there, they could remove.
 */
import { nodeBuiltin } from "../internal/nodeBuiltin.js";

/**
 * Unlinks the entry `actual` if it is the file `fd` has open; true when it was removed. Best
 * effort: any failure (the directory cannot be opened, the entry is gone or is another file)
 * leaves things as they are and answers false, since the caller is already failing the open.
 */
export function unlinkOpened(fd: number, actual: string): boolean {
  const fs = nodeBuiltin("node:fs");
  const { dirname, basename } = nodeBuiltin("node:path");
  let directory: number;
  try {
    directory = fs.openSync(dirname(actual), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return false;
  }
  try {
    const entry = `/proc/self/fd/${directory}/${basename(actual)}`;
    const found = fs.lstatSync(entry, { bigint: true });
    const own = fs.fstatSync(fd, { bigint: true });
    if (found.dev !== own.dev || found.ino !== own.ino) return false;
    fs.unlinkSync(entry);
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(directory);
  }
}
