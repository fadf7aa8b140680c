/**
 * Keeps a directory handle's paths beneath it: core's `confineWalk` (the lexical check, then
 * every component lstat'ed and every symlink's target checked, dangling ones included), driven
 * by node:fs calls. The check and the use are still two steps, so a concurrent rename can race
 * it; opening the last component with O_NOFOLLOW narrows that window for files, and the uring
 * backend can close it with openat2's RESOLVE_BENEATH.
 */
import { lstatSync, promises, readlinkSync, type Stats } from "node:fs";
import { confineWalk, type ConfineQuestion, type Confined, type LstatAnswer } from "@pktio/core/backend";

function kindOf(stats: Stats): LstatAnswer {
  return stats.isSymbolicLink() ? "symlink" : stats.isDirectory() ? "directory" : "file";
}

function failed(error: unknown): LstatAnswer {
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "other-error";
}

async function answer(question: ConfineQuestion): Promise<string> {
  if (question.ask === "readlink") return promises.readlink(question.path);
  return promises.lstat(question.path).then(kindOf, failed);
}

function answerSync(question: ConfineQuestion): string {
  if (question.ask === "readlink") return readlinkSync(question.path);
  try {
    return kindOf(lstatSync(question.path));
  } catch (error) {
    return failed(error);
  }
}

/** The path beneath `root` and whether its last component is a symlink; PermissionDenied if it leads outside. */
export async function confineEntry(root: string, realRoot: string, path: string, op: string, followLast = true): Promise<Confined> {
  const walk = confineWalk(root, realRoot, path, op, followLast);
  for (let step = walk.next(); ; ) {
    if (step.done === true) return step.value;
    step = walk.next(await answer(step.value));
  }
}

export function confineEntrySync(root: string, realRoot: string, path: string, op: string, followLast = true): Confined {
  const walk = confineWalk(root, realRoot, path, op, followLast);
  for (let step = walk.next(); ; ) {
    if (step.done === true) return step.value;
    step = walk.next(answerSync(step.value));
  }
}

export async function confine(root: string, realRoot: string, path: string, op: string, followLast = true): Promise<string> {
  return (await confineEntry(root, realRoot, path, op, followLast)).path;
}

export function confineSync(root: string, realRoot: string, path: string, op: string, followLast = true): string {
  return confineEntrySync(root, realRoot, path, op, followLast).path;
}
