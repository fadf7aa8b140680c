/**
 * An open beneath a directory handle's root whose side effects wait for the check of its fd.
 *
 * The walk that confines a path and the open that follows are two steps; a directory swapped for
 * a symlink out between them makes the open land outside, which `openedOutside` sees on the fd
 * and refuses. But open(2) acts before anyone can look: O_TRUNC would already have cut a file
 * outside the root to nothing, and O_CREAT would already have left a new empty file out there.
 * So beneath a root an open never asks for either effect on a file it did not make:
 *
 * - O_TRUNC is never passed. Once the fd is known to be beneath the root, a regular file is cut
 *   with ftruncate(fd, 0); anything else is left as open(2) leaves it (O_TRUNC is ignored on a
 *   FIFO or a terminal, and a directory cannot be opened for writing). A file this open created
 *   is empty already and is not cut.
 * - A plain O_CREAT (not exclusive) becomes two opens: first without O_CREAT (an existing file is
 *   opened and nothing is made); on ENOENT, with O_CREAT | O_EXCL, so that a file that exists
 *   after it was made by this open, and one that landed outside can be removed (`unlinkOpened`).
 *   EEXIST there means someone made the name in between: the first open is tried again. A name
 *   that keeps flipping between the two answers (at most ATTEMPTS rounds) is kind Busy, as a walk
 *   that keeps changing is (`confineWithNodeFs`).
 * - O_EXCL from the caller (createNew) is passed as it is: it always creates, so what it made
 *   outside is removed.
 *
 * The steps are one program (a generator) over the calls a backend makes in its own way (its
 * open, its close), driven async by `openBeneath` and blocking by `openBeneathSync`, so the three
 * backends share this order rather than keep three copies of it. Without a root, backends do not
 * come here: their open is one call, as before.
 */
import { fromErrno, IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";
import { openedOutside } from "./openedOutside.js";
import { unlinkOpened } from "./unlinkOpened.js";

/** Rounds of "missing, then already there" before a plain create counts as racing (Busy). */
const ATTEMPTS = 8;

/** Where the open happens, for the check and for errors. */
export interface OpenBeneathPlace {
  /** The root's real path: the opened fd must name a file beneath it. */
  readonly realRoot: string;
  /** The walked path being opened, as errors name it. */
  readonly path: string;
  /** The backend's name, as errors name it. */
  readonly backend: string;
}

/** The backend's own calls for `openBeneath`. */
export interface OpenBeneathCalls {
  /** open(2) of the walked path with these flags; rejects with the backend's IoError (its `code` the errno's name). */
  open(flags: number): Promise<number>;
  /** Closes an fd this open will not hand out (refused outside, or failed to truncate). */
  close(fd: number): void;
  /**
   * Called once, before node's fstat and ftruncate of the fd on libuv's pool; the function it
   * returns, once both are done (or failed) and the open is settled. A backend whose own close
   * can close the fd meanwhile (uring's ring closes the fds it opened) keeps it open for that long.
   */
  hold?(): () => void;
}

/** `OpenBeneathCalls` with a blocking open. */
export interface OpenBeneathCallsSync {
  /** open(2) of the walked path with these flags; throws the backend's IoError (its `code` the errno's name). */
  open(flags: number): number;
  /** Closes an fd this open will not hand out. */
  close(fd: number): void;
}

/** What the program asks its driver to do; the answer is the call's result, or its error thrown in. */
type Step = { readonly call: "open"; readonly flags: number } | { readonly call: "isRegular"; readonly fd: number } | { readonly call: "truncate"; readonly fd: number };

function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * The order of an open beneath a root (see the file's comment): opens without the effects that
 * would act outside, the fd check, then the effects on what was found inside. Returns the fd,
 * which the caller owns; on any failure the fd is closed (and a file made outside removed) first.
 */
function* openProgram(flags: number, place: OpenBeneathPlace, close: (fd: number) => void): Generator<Step, number, unknown> {
  const { O_CREAT, O_EXCL, O_TRUNC } = nodeBuiltin("node:fs").constants;
  const truncate = (flags & O_TRUNC) !== 0;
  const exclusive = (flags & O_EXCL) !== 0 && (flags & O_CREAT) !== 0;
  const plainCreate = (flags & O_CREAT) !== 0 && !exclusive;
  // Invariant: no open below carries O_TRUNC, and only an exclusive one carries O_CREAT.
  const withoutTruncate = flags & ~O_TRUNC;
  const findExisting = plainCreate ? withoutTruncate & ~O_CREAT : withoutTruncate;
  const createNew = withoutTruncate | O_CREAT | O_EXCL;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let fd: number;
    let created = exclusive;
    try {
      fd = (yield { call: "open", flags: findExisting }) as number;
    } catch (error) {
      if (!plainCreate || codeOf(error) !== "ENOENT") throw error;
      try {
        fd = (yield { call: "open", flags: createNew }) as number;
        created = true;
      } catch (failure) {
        // Made by someone else since the first open said it was missing: open it as existing.
        if (codeOf(failure) === "EEXIST") continue;
        throw failure;
      }
    }
    const outside = openedOutside(fd, place.realRoot, place.path, "open", place.backend);
    if (outside !== undefined) {
      // Removed before the close: the removal checks that the entry is still this fd's file.
      if (created) unlinkOpened(fd, outside.actual);
      close(fd);
      throw outside.error;
    }
    if (truncate && !created) {
      try {
        if ((yield { call: "isRegular", fd }) as boolean) yield { call: "truncate", fd };
      } catch (error) {
        close(fd);
        // As open(2) with O_TRUNC would have failed: kind and text of the errno, op "open".
        const code = codeOf(error);
        throw typeof code === "string" ? fromErrno(code, { op: "open", backend: place.backend, path: place.path }) : error;
      }
    }
    return fd;
  }
  throw new IoError("Busy", `open: ${JSON.stringify(place.path)} kept appearing and disappearing while it was created beneath its directory; try again`, { op: "open", backend: place.backend, path: place.path });
}

/**
 * Opens `flags` beneath a root (the walk has confined the path; `calls.open` opens it) in the
 * order that keeps O_TRUNC and O_CREAT from acting outside the root: see the file's comment.
 * Resolves to the fd, checked beneath `place.realRoot` and truncated if asked; rejects with
 * PermissionDenied for a file outside (closed; removed if this open created it), with the open's
 * or the truncation's error (as open's), or Busy for a name that kept racing a plain create.
 */
export async function openBeneath(flags: number, place: OpenBeneathPlace, calls: OpenBeneathCalls): Promise<number> {
  const fs = nodeBuiltin("node:fs");
  const program = openProgram(flags, place, (fd) => calls.close(fd));
  // Taken at the first call on the fd and kept until the program ends: let go between the fstat
  // and the ftruncate, uring's ring (closing) closed the fd, and the ftruncate cut whatever file
  // had its number by then.
  let release: (() => void) | undefined;
  const perform = (step: Step): Promise<unknown> => {
    if (step.call === "open") return calls.open(step.flags);
    // On libuv's pool, as the open's own truncation ran off the event loop: cutting a large file frees its blocks.
    release ??= calls.hold?.() ?? ((): void => undefined);
    const done = (error: Error | null, resolve: () => void, reject: (error: unknown) => void): void => {
      if (error === null) resolve();
      else reject(error);
    };
    if (step.call === "isRegular") return new Promise((resolve, reject) => fs.fstat(step.fd, (error, stats) => done(error, () => resolve(stats.isFile()), reject)));
    return new Promise<void>((resolve, reject) => fs.ftruncate(step.fd, 0, (error) => done(error, resolve, reject)));
  };
  try {
    for (let step = program.next(); ; ) {
      if (step.done === true) return step.value;
      let answer: unknown;
      try {
        answer = await perform(step.value);
      } catch (error) {
        step = program.throw(error);
        continue;
      }
      step = program.next(answer);
    }
  } finally {
    release?.();
  }
}

/** `openBeneath` with blocking calls. */
export function openBeneathSync(flags: number, place: OpenBeneathPlace, calls: OpenBeneathCallsSync): number {
  const fs = nodeBuiltin("node:fs");
  const program = openProgram(flags, place, (fd) => calls.close(fd));
  const perform = (step: Step): unknown => {
    if (step.call === "open") return calls.open(step.flags);
    if (step.call === "isRegular") return fs.fstatSync(step.fd).isFile();
    return fs.ftruncateSync(step.fd, 0);
  };
  for (let step = program.next(); ; ) {
    if (step.done === true) return step.value;
    let answer: unknown;
    try {
      answer = perform(step.value);
    } catch (error) {
      step = program.throw(error);
      continue;
    }
    step = program.next(answer);
  }
}
