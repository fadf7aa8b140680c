/**
 * copyFile by path goes through node:fs's copyfile, which truncates the destination and, when
 * that fails, unlinks it: a device (`copyFile(x, "/dev/null")`: ftruncate EINVAL) or a FIFO named
 * as the destination was deleted (found when /dev/null turned into a regular file on a test
 * machine, 2026-12-08). A destination that exists and is neither a regular file nor a directory
 * is refused first: kind Unsupported, nothing removed. (A directory fails EISDIR at the open,
 * before anything is removed; a missing one is created.)
 */
import { IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";

function refusal(path: string, backend: string): IoError {
  return new IoError("Unsupported", `copyFile: the destination ${JSON.stringify(path)} is a device, FIFO or socket; copyFile copies into files (open it and write to it instead)`, { op: "copyFile", backend, path });
}

const special = (stats: { isFile(): boolean; isDirectory(): boolean } | undefined): boolean => stats !== undefined && !stats.isFile() && !stats.isDirectory();

/** Refuses a special-file destination of copyFile (see the module comment). */
export async function refuseSpecialDestination(path: string, backend: string): Promise<void> {
  let stats;
  try {
    stats = await nodeBuiltin("node:fs").promises.stat(path);
  } catch {
    return; // missing (created by the copy) or unreadable: the copy reports it
  }
  if (special(stats)) throw refusal(path, backend);
}

/** refuseSpecialDestination for the sync copies. */
export function refuseSpecialDestinationSync(path: string, backend: string): void {
  let stats;
  try {
    stats = nodeBuiltin("node:fs").statSync(path, { throwIfNoEntry: false });
  } catch {
    return;
  }
  if (special(stats)) throw refusal(path, backend);
}
