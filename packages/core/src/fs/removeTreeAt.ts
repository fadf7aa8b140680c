/**
 * A recursive removal beneath a directory handle's root that never walks a path twice. node:fs's
 * `rm -r` lists a directory and then removes each `dir/child` by path, so a child directory
 * swapped for a symlink out between the listing and the descent was followed, and the outside
 * directory's files were removed. Here each directory is opened first (O_PATH | O_DIRECTORY |
 * O_NOFOLLOW: a symlink there is not followed, it fails), listed and emptied through its own fd
 * (`/proc/self/fd/N/child`), and removed from its parent's fd. An entry listed as a directory that
 * is no longer one is unlinked as the link or file it became; one listed as a file that became a
 * directory is removed as a directory. `entry` is a place's path (core's placeBeneath, kind
 * "entry"), already checked beneath the root.
 */
import { nodeBuiltin } from "../internal/nodeBuiltin.js";

/** How often one child may turn from directory to link and back before the removal gives up (its error). */
const MAX_TRIES = 8;

/** Linux's O_PATH (as placeBeneath's). */
const O_PATH = 0o10000000;

/** One entry of a listing: its name, and whether the listing said directory (not followed). */
export interface TreeEntry {
  readonly name: string;
  readonly directory: boolean;
}

/** The backend's calls for a removal: an open and close of a directory's fd, its listing, unlink and rmdir. */
export interface RemoveTreeCalls {
  open(path: string, flags: number): Promise<number>;
  close(fd: number): void;
  readDir(path: string): Promise<readonly TreeEntry[]>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
}

/** `RemoveTreeCalls`, blocking. */
export interface RemoveTreeCallsSync {
  open(path: string, flags: number): number;
  close(fd: number): void;
  readDir(path: string): readonly TreeEntry[];
  unlink(path: string): void;
  rmdir(path: string): void;
}

/**
 * Removes the directory `entry` and everything in it, each step through a directory's fd (see the
 * module's comment); ENOTDIR when `entry` itself is not a directory (a symlink to one included).
 */
export async function removeTreeAt(entry: string, calls: RemoveTreeCalls, top = true, tries = MAX_TRIES): Promise<void> {
  let fd: number;
  try {
    fd = await calls.open(entry, directoryFlags());
  } catch (error) {
    // Beneath the top, not a directory any more (a symlink or a file took its place): the entry itself goes.
    if (top || !isNotDirectory(error)) throw error;
    return removeChild(entry, calls, tries - 1);
  }
  try {
    const dir = `/proc/self/fd/${fd}`;
    for (const child of await calls.readDir(dir)) {
      const path = `${dir}/${child.name}`;
      if (child.directory) await removeTreeAt(path, calls, false);
      else await removeChild(path, calls, MAX_TRIES);
    }
  } finally {
    calls.close(fd);
  }
  await calls.rmdir(entry);
}

/** Unlinks a child; one that is (again) a directory is removed as one, while it keeps changing at most MAX_TRIES times. */
async function removeChild(path: string, calls: RemoveTreeCalls, tries: number): Promise<void> {
  try {
    await calls.unlink(path);
  } catch (error) {
    if (!isDirectory(error) || tries <= 0) throw error;
    await removeTreeAt(path, calls, false, tries);
  }
}

/** `removeTreeAt`, blocking. */
export function removeTreeAtSync(entry: string, calls: RemoveTreeCallsSync, top = true, tries = MAX_TRIES): void {
  let fd: number;
  try {
    fd = calls.open(entry, directoryFlags());
  } catch (error) {
    if (top || !isNotDirectory(error)) throw error;
    return removeChildSync(entry, calls, tries - 1);
  }
  try {
    const dir = `/proc/self/fd/${fd}`;
    for (const child of calls.readDir(dir)) {
      const path = `${dir}/${child.name}`;
      if (child.directory) removeTreeAtSync(path, calls, false);
      else removeChildSync(path, calls, MAX_TRIES);
    }
  } finally {
    calls.close(fd);
  }
  calls.rmdir(entry);
}

function removeChildSync(path: string, calls: RemoveTreeCallsSync, tries: number): void {
  try {
    calls.unlink(path);
  } catch (error) {
    if (!isDirectory(error) || tries <= 0) throw error;
    removeTreeAtSync(path, calls, false, tries);
  }
}

function directoryFlags(): number {
  const { O_DIRECTORY, O_NOFOLLOW } = nodeBuiltin("node:fs").constants;
  return O_PATH | O_DIRECTORY | O_NOFOLLOW;
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;
/** What an O_DIRECTORY | O_NOFOLLOW open of a symlink or a file says. */
const isNotDirectory = (error: unknown): boolean => codeOf(error) === "ENOTDIR" || codeOf(error) === "ELOOP";
/** What unlink(2) of a directory says on Linux. */
const isDirectory = (error: unknown): boolean => codeOf(error) === "EISDIR" || codeOf(error) === "EPERM";
