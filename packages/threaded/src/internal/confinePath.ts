/**
 * Drives core's `confineWalk` with node:fs calls on the calling thread: a directory handle's
 * path is checked component by component (every symlink's target, dangling ones included,
 * must stay beneath the real root) before the worker performs the operation, which checks the
 * real path once more right before its call.
 */
import { IoError, toIoError } from "@pktio/core";
import { confineWithNodeFs, confineWithNodeFsSync, type Confined } from "@pktio/core/backend";
import { BACKEND } from "./errors.js";

function rethrow(error: unknown): never {
  throw error instanceof IoError || error instanceof TypeError ? error : toIoError(error, { backend: BACKEND });
}

/** The checked path and whether its last component is a symlink; PermissionDenied if it leads outside. */
export async function confinePath(root: string, realRoot: string, path: string, op: string, followLast: boolean): Promise<Confined> {
  try {
    return await confineWithNodeFs(root, realRoot, path, op, followLast);
  } catch (error) {
    rethrow(error);
  }
}

export function confinePathSync(root: string, realRoot: string, path: string, op: string, followLast: boolean): Confined {
  try {
    return confineWithNodeFsSync(root, realRoot, path, op, followLast);
  } catch (error) {
    rethrow(error);
  }
}
