/**
 * Drives core's `confineWalk` with node:fs calls on the calling thread: a directory handle's
 * path is checked component by component (every symlink's target, dangling ones included,
 * must stay beneath the real root) before the worker performs the operation, which checks the
 * real path once more right before its call.
 */
import { lstatSync, promises, readlinkSync, type Stats } from "node:fs";
import { IoError, toIoError } from "@pktio/core";
import { confineWalk, type ConfineQuestion, type Confined, type LstatAnswer } from "@pktio/core/backend";
import { BACKEND } from "./errors.js";

function kindOf(stats: Stats): LstatAnswer {
  return stats.isSymbolicLink() ? "symlink" : stats.isDirectory() ? "directory" : "file";
}

function failed(error: unknown): LstatAnswer {
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "other-error";
}

function rethrow(error: unknown): never {
  throw error instanceof IoError || error instanceof TypeError ? error : toIoError(error, { backend: BACKEND });
}

/** The checked path and whether its last component is a symlink; PermissionDenied if it leads outside. */
export async function confinePath(root: string, realRoot: string, path: string, op: string, followLast: boolean): Promise<Confined> {
  try {
    const walk = confineWalk(root, realRoot, path, op, followLast);
    for (let step = walk.next(); ; ) {
      if (step.done === true) return step.value;
      const question: ConfineQuestion = step.value;
      step = walk.next(question.ask === "readlink" ? await promises.readlink(question.path) : await promises.lstat(question.path).then(kindOf, failed));
    }
  } catch (error) {
    rethrow(error);
  }
}

export function confinePathSync(root: string, realRoot: string, path: string, op: string, followLast: boolean): Confined {
  try {
    const walk = confineWalk(root, realRoot, path, op, followLast);
    for (let step = walk.next(); ; ) {
      if (step.done === true) return step.value;
      const question: ConfineQuestion = step.value;
      let answer: string;
      if (question.ask === "readlink") answer = readlinkSync(question.path);
      else {
        try {
          answer = kindOf(lstatSync(question.path));
        } catch (error) {
          answer = failed(error);
        }
      }
      step = walk.next(answer);
    }
  } catch (error) {
    rethrow(error);
  }
}
