/**
 * A file's bytes into a new file through two opens of the server's directory handle, used by
 * COPY and by a staged upload that cannot be renamed into place (EXDEV).
 */
import type { FileHandle } from "@pktio/core";
import type { Exchange } from "./Exchange.js";

/** Bytes per read and write of a copy. */
const COPY_CHUNK = 1024 * 1024;

/**
 * `from`'s bytes into a new file `to`, through two opens of the directory handle: each open's fd
 * is checked beneath the root (a directory swapped for a symlink between the walk and the call
 * is refused), which the handle's copyFile, one path-based system call, does not do.
 */
export async function copyThroughOpens(exchange: Exchange, from: string, to: string): Promise<void> {
  const source = await exchange.dir.open(from);
  try {
    await copyInto(source, await exchange.dir.open(to, { write: true, createNew: true }));
  } finally {
    await source.close();
  }
}

/** `from`'s bytes (a path beneath the root) into `target`, a new file open for writing, which it closes. */
export async function copyIntoFile(exchange: Exchange, from: string, target: FileHandle): Promise<void> {
  let source: FileHandle;
  try {
    source = await exchange.dir.open(from);
  } catch (error) {
    await target.close();
    throw error;
  }
  try {
    await copyInto(source, target);
  } finally {
    await source.close();
  }
}

async function copyInto(source: FileHandle, target: FileHandle): Promise<void> {
  try {
    const chunk = new Uint8Array(COPY_CHUNK);
    for (let pos = 0; ; ) {
      const count = await source.readAt(pos, chunk);
      if (count === 0) break;
      await target.writeAllAt(pos, chunk.subarray(0, count));
      pos += count;
    }
  } finally {
    await target.close();
  }
}
