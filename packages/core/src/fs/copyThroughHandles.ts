/**
 * `copyFile` beneath a directory handle's root, made of the handle's own confined opens: the
 * source and the destination are each opened through `openBeneath` (every component walked,
 * the fd checked to be beneath the real root, no O_TRUNC or plain O_CREAT on the open itself),
 * so a directory swapped for a symlink out between the walk and the open can neither make the
 * copy read a file outside nor create or truncate one there. node:fs's copyFile opens the
 * destination O_CREAT | O_TRUNC by path, which no check after the fact can undo.
 *
 * Invariants: both handles are closed on every path; the destination is truncated only once it
 * is known to be beneath the root and not the source itself (copying a file onto itself leaves
 * it as it was, as node:fs does); a source that is not a regular file is refused before it is
 * opened (a FIFO's open or read would hold the caller until a writer comes) and checked again
 * on its fd. A copy that fails once the destination was cut (a full disk, a read error) removes
 * the destination, if its name still leads to that file, as node:fs's copyFile does: a failed
 * copy leaves no file that looks copied.
 */
import { IoError } from "../IoError.js";
import type { FileHandle } from "./FileHandle.js";
import type { FileStat } from "./FileStat.js";
import type { FsOps } from "./Fs.js";
import { sameFile } from "./sameFile.js";

/** Bytes per read and write of the copy. */
const CHUNK = 1024 * 1024;

function refuseNonFile(stat: FileStat, path: string, backend: string): void {
  if (stat.type === "directory") throw new IoError("IsADirectory", `copyFile: ${JSON.stringify(path)} is a directory; copyFile copies files`, { op: "copyFile", backend, path });
  if (stat.type !== "file") throw new IoError("Unsupported", `copyFile: ${JSON.stringify(path)} is a FIFO, socket or device; copyFile copies files (open it and read its stream instead)`, { op: "copyFile", backend, path });
}

function changedUnder(path: string, backend: string): IoError {
  return new IoError("Busy", `copyFile: ${JSON.stringify(path)} changed while it was opened; try again`, { op: "copyFile", backend, path });
}

/**
 * After a copy failed past the destination's truncation: closes the destination and removes it
 * if the name still leads to the file that was cut (`cut`, by device and inode), as node:fs's
 * copyFile removes a destination it could not fill. Best effort: the copy's error is what the
 * caller hears; a name that now leads elsewhere is left alone.
 */
async function removePartialAsync(fs: Pick<FsOps, "stat" | "removeFile">, to: string, cut: FileStat, destination: FileHandle | undefined): Promise<void> {
  await destination?.close().catch(() => undefined);
  try {
    if (sameFile(await fs.stat(to), cut)) await fs.removeFile(to);
  } catch {
    // Gone already, or replaced: nothing of ours to remove.
  }
}

/** Copies `from` to `to` through `fs`'s confined opens (see the module comment). */
export async function copyThroughHandles(fs: Pick<FsOps, "open" | "stat" | "removeFile">, from: string, to: string, backend: string): Promise<void> {
  const before = await fs.stat(from);
  refuseNonFile(before, from, backend);
  const source = await fs.open(from);
  let destination: FileHandle | undefined;
  let cut: FileStat | undefined;
  try {
    const stat = await source.stat();
    if (!sameFile(stat, before)) throw changedUnder(from, backend);
    destination = await fs.open(to, { write: true, create: true, mode: stat.mode & 0o777 });
    const target = await destination.stat();
    if (sameFile(target, stat)) return;
    if (target.type !== "file") refuseNonFile(target, to, backend);
    await destination.truncate(0);
    cut = target;
    const buffer = new Uint8Array(Math.min(CHUNK, Math.max(1, stat.size)));
    for (let pos = 0; ; ) {
      const count = await source.readAt(pos, buffer);
      if (count === 0) break;
      await destination.writeAllAt(pos, buffer.subarray(0, count));
      pos += count;
    }
    // The destination's close is part of the copy (a late write error shows there); the rest only release.
    const written = destination;
    destination = undefined;
    await written.close();
    cut = undefined;
  } catch (error) {
    if (cut !== undefined) await removePartialAsync(fs, to, cut, destination);
    destination = undefined;
    throw error;
  } finally {
    await Promise.allSettled([source.close(), destination?.close()]);
  }
}

/** `removePartialAsync` that blocks the thread: closes the destination, removes it if it is still the file that was cut. */
function removePartial(fs: Pick<FsOps, "statSync" | "removeFileSync">, to: string, cut: FileStat, destination: FileHandle | undefined): void {
  try {
    destination?.closeSync();
  } catch {
    // Failing already: the copy's error is what the caller hears.
  }
  try {
    if (sameFile(fs.statSync(to), cut)) fs.removeFileSync(to);
  } catch {
    // Gone already, or replaced: nothing of ours to remove.
  }
}

/** `copyThroughHandles` that blocks the thread. */
export function copyThroughHandlesSync(fs: Pick<FsOps, "openSync" | "statSync" | "removeFileSync">, from: string, to: string, backend: string): void {
  const before = fs.statSync(from);
  refuseNonFile(before, from, backend);
  const source = fs.openSync(from);
  let destination: FileHandle | undefined;
  let cut: FileStat | undefined;
  try {
    const stat = source.statSync();
    if (!sameFile(stat, before)) throw changedUnder(from, backend);
    destination = fs.openSync(to, { write: true, create: true, mode: stat.mode & 0o777 });
    const target = destination.statSync();
    if (sameFile(target, stat)) return;
    if (target.type !== "file") refuseNonFile(target, to, backend);
    destination.truncateSync(0);
    cut = target;
    const buffer = new Uint8Array(Math.min(CHUNK, Math.max(1, stat.size)));
    for (let pos = 0; ; ) {
      const count = source.readAtSync(pos, buffer);
      if (count === 0) break;
      destination.writeAllAtSync(pos, buffer.subarray(0, count));
      pos += count;
    }
    const written = destination;
    destination = undefined;
    written.closeSync();
    cut = undefined;
  } catch (error) {
    if (cut !== undefined) removePartial(fs, to, cut, destination);
    destination = undefined;
    throw error;
  } finally {
    for (const handle of [source, destination]) {
      try {
        handle?.closeSync();
      } catch {
        // The copy's own outcome is what the caller hears; a close error after it changes nothing.
      }
    }
  }
}
