/**
 * `confineWalk` driven by node:fs on the calling thread (libuv's and threaded's directory
 * handles). A component that changes between its lstat and its readlink (a symlink swapped
 * back for a directory: readlink fails EINVAL, or the entry is gone: ENOENT) restarts the walk
 * from the root, a few times, instead of failing with an errno that says nothing of the race.
 */
import { IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";
import { confineWalk, type ConfineQuestion, type Confined, type LstatAnswer } from "./confineWalk.js";

/** Walks restarted after a component changed under the check, before the path counts as unstable. */
const RESTARTS = 8;

interface StatsLike {
  isSymbolicLink(): boolean;
  isDirectory(): boolean;
}

function kindOf(stats: StatsLike): LstatAnswer {
  return stats.isSymbolicLink() ? "symlink" : stats.isDirectory() ? "directory" : "file";
}

function failed(error: unknown): LstatAnswer {
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "other-error";
}

/** A readlink that failed because the entry changed since its lstat said "symlink". */
function changed(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EINVAL" || code === "ENOENT";
}

function unstable(path: string, op: string): IoError {
  return new IoError("Busy", `${op}: ${JSON.stringify(path)} kept changing while it was checked beneath its directory (a symlink swapped in and out); try again`, { op, path });
}

/** What an answer says when the entry changed under the check: the walk starts again. */
const CHANGED = "\u0000changed";

/** `confineWalk`, started again from the root each time an answer is CHANGED (at most RESTARTS times). */
function* restartingWalk(root: string, realRoot: string, path: string, op: string, followLast: boolean): Generator<ConfineQuestion, Confined, string> {
  for (let attempt = 0; attempt <= RESTARTS; attempt++) {
    const walk = confineWalk(root, realRoot, path, op, followLast);
    for (let step = walk.next(); ; ) {
      if (step.done === true) return step.value;
      const answer: string = yield step.value;
      if (answer === CHANGED) break;
      step = walk.next(answer);
    }
  }
  throw unstable(path, op);
}

/** The checked path beneath `realRoot` and whether its last component is a symlink; PermissionDenied if it leads outside. */
export async function confineWithNodeFs(root: string, realRoot: string, path: string, op: string, followLast: boolean): Promise<Confined> {
  const fs = nodeBuiltin("node:fs").promises;
  const answer = (question: ConfineQuestion): Promise<string> =>
    question.ask === "readlink" ? fs.readlink(question.path).catch((error: unknown) => (changed(error) ? CHANGED : Promise.reject(error))) : fs.lstat(question.path).then(kindOf, failed);
  const walk = restartingWalk(root, realRoot, path, op, followLast);
  for (let step = walk.next(); ; ) {
    if (step.done === true) return step.value;
    step = walk.next(await answer(step.value));
  }
}

/** `confineWithNodeFs` with blocking calls. */
export function confineWithNodeFsSync(root: string, realRoot: string, path: string, op: string, followLast: boolean): Confined {
  const fs = nodeBuiltin("node:fs");
  const answer = (question: ConfineQuestion): string => {
    try {
      return question.ask === "readlink" ? fs.readlinkSync(question.path) : kindOf(fs.lstatSync(question.path));
    } catch (error) {
      if (question.ask === "lstat") return failed(error);
      if (changed(error)) return CHANGED;
      throw error;
    }
  };
  const walk = restartingWalk(root, realRoot, path, op, followLast);
  for (let step = walk.next(); ; ) {
    if (step.done === true) return step.value;
    step = walk.next(answer(step.value));
  }
}
