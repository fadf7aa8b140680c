/**
 * Where a path operation beneath a directory handle's root acts, held by an fd. The walk that
 * confines a path (confineWalk) and the call that uses it are two steps, and a local process can
 * swap a directory for a symlink out between them: stat would then answer about, readDir list,
 * and rename, remove or mkdir act on an entry outside. So the operation gets a path through the
 * kernel's view of an fd instead: the place is opened (O_PATH: no read permission needed, no
 * side effect, a FIFO or device is not opened), `/proc/self/fd/N` says where it really is, one
 * that is not beneath the real root is refused PermissionDenied, and the operation names
 * `/proc/self/fd/N` (the file or directory the fd holds, never walked again) or
 * `/proc/self/fd/N/name` (the entry `name` in the directory it holds).
 *
 * Kinds: "target" opens what the path leads to (stat, readDir, openDir: they follow a symlink
 * as the last component); "entry" opens the entry's parent directory (rename, remove, mkdir act
 * on the entry itself). A recursive mkdir makes one directory at a time, each in its own checked
 * parent (mkdirAllBeneath): handing `mkdir -p` several components would walk them by path again,
 * and a directory swapped for a symlink out among them was followed. Without /proc
 * the place is the path itself, as before. A directory the fd holds can still be moved out of
 * the root after the check (as with openat2's RESOLVE_BENEATH): the operation then acts in the
 * directory it was checked as, not at a path an attacker picks.
 */
import { basename, dirname, join, relative, sep } from "node:path";
import { IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";
import { realPathOfFd } from "./openedOutside.js";
import { isBeneath } from "./paths.js";

/** Linux's O_PATH (the same on x86-64 and arm64, the targets pktio builds for). */
const O_PATH = 0o10000000;

/** What a place holds: what the path leads to, or the directory its entry is in. */
export type PlaceKind = "target" | "entry";

/** The operation whose place is opened. */
export interface PlaceRequest {
  /** The absolute path the walk checked (lexically beneath `root`). */
  readonly target: string;
  readonly kind: PlaceKind;
  /** The handle's root as given (absolute) and its real path. */
  readonly root: string;
  readonly realRoot: string;
  readonly op: string;
  readonly backend: string;
}

/** The backend's open and close of the place's fd (its own calls, so that its errors read as its others). */
export interface PlaceCalls {
  open(path: string, flags: number): Promise<number>;
  close(fd: number): void;
}

/** `PlaceCalls`, blocking. */
export interface PlaceCallsSync {
  open(path: string, flags: number): number;
  close(fd: number): void;
}

/** An opened place: the path to hand the operation, until `close`. */
export interface Place {
  /** `/proc/self/fd/N`, `/proc/self/fd/N/rest`, or the target itself where there is no /proc. */
  readonly path: string;
  /** The real path of what the fd holds, when /proc said it. */
  readonly real: string | undefined;
  /** An error of the operation on `path`, its message naming the target instead. */
  named<E>(error: E): E;
  /** Closes the fd; the operation must be done with `path` by then. */
  close(): void;
}

/** What to open, and what the place's path adds after `/proc/self/fd/N`. */
interface Attempt {
  readonly open: string;
  readonly rest: string;
}

/** Opens the place of `request` (see the module's comment); PermissionDenied when it is not beneath the root. */
export async function placeBeneath(request: PlaceRequest, calls: PlaceCalls): Promise<Place> {
  const attempt = attemptOf(request);
  let fd: number;
  try {
    fd = await calls.open(attempt.open, flagsOf(request));
  } catch (error) {
    throw openFailed(error, request, false);
  }
  return adopt(fd, attempt, request, calls.close);
}

/** `placeBeneath`, blocking. */
export function placeBeneathSync(request: PlaceRequest, calls: PlaceCallsSync): Place {
  const attempt = attemptOf(request);
  let fd: number;
  try {
    fd = calls.open(attempt.open, flagsOf(request));
  } catch (error) {
    throw openFailed(error, request, true);
  }
  return adopt(fd, attempt, request, calls.close);
}

/**
 * `use` on the place of `request` (its path, and its real path when known), which is closed
 * after; the use's errors name the target. `openError`, when given, maps an error of opening the
 * place (the backend's own error type for what its calls threw).
 */
export async function usePlaceBeneath<T>(request: PlaceRequest, calls: PlaceCalls, use: (path: string, real: string | undefined) => Promise<T>, openError?: (error: unknown) => unknown): Promise<T> {
  let place: Place;
  try {
    place = await placeBeneath(request, calls);
  } catch (error) {
    throw openError === undefined ? error : openError(error);
  }
  try {
    return await use(place.path, place.real);
  } catch (error) {
    throw place.named(error);
  } finally {
    place.close();
  }
}

/** `usePlaceBeneath`, blocking. */
export function usePlaceBeneathSync<T>(request: PlaceRequest, calls: PlaceCallsSync, use: (path: string, real: string | undefined) => T, openError?: (error: unknown) => unknown): T {
  let place: Place;
  try {
    place = placeBeneathSync(request, calls);
  } catch (error) {
    throw openError === undefined ? error : openError(error);
  }
  try {
    return use(place.path, place.real);
  } catch (error) {
    throw place.named(error);
  } finally {
    place.close();
  }
}

/** The backend's calls for a recursive mkdir beneath a root: the place's, one directory's mkdir, and whether a path is a directory. */
export interface MkdirAllCalls extends PlaceCalls {
  mkdir(path: string): Promise<void>;
  isDirectory(path: string): Promise<boolean>;
}

/** `MkdirAllCalls`, blocking. */
export interface MkdirAllCallsSync extends PlaceCallsSync {
  mkdir(path: string): void;
  isDirectory(path: string): boolean;
}

/**
 * A recursive mkdir of `request.target` beneath the root, one directory at a time from the root
 * down, each made in its parent's checked place; one that exists already is fine if it is a
 * directory (as `mkdir -p` says: ENOTDIR for a file on the way, EEXIST for a file at the end).
 */
export async function mkdirAllBeneath(request: Omit<PlaceRequest, "kind">, calls: MkdirAllCalls): Promise<void> {
  const levels = levelsOf(request);
  for (const [i, level] of levels.entries()) {
    await usePlaceBeneath({ ...request, target: level, kind: "entry" }, calls, async (path) => {
      try {
        await calls.mkdir(path);
      } catch (error) {
        // One in the way that is not a directory: the next level's open says ENOTDIR, the last is EEXIST.
        if (!isExisting(error) || (i === levels.length - 1 && !(await calls.isDirectory(path)))) throw error;
      }
    });
  }
}

/** `mkdirAllBeneath`, blocking. */
export function mkdirAllBeneathSync(request: Omit<PlaceRequest, "kind">, calls: MkdirAllCallsSync): void {
  const levels = levelsOf(request);
  for (const [i, level] of levels.entries()) {
    usePlaceBeneathSync({ ...request, target: level, kind: "entry" }, calls, (path) => {
      try {
        calls.mkdir(path);
      } catch (error) {
        if (!isExisting(error) || (i === levels.length - 1 && !calls.isDirectory(path))) throw error;
      }
    });
  }
}

/** Every directory from the root's first child down to the target (the target's trailing slash kept). */
function levelsOf(request: Omit<PlaceRequest, "kind">): string[] {
  const parts = relative(request.root, request.target).split(sep).filter((part) => part !== "");
  const levels = parts.map((_, i) => join(request.root, ...parts.slice(0, i + 1)));
  if (request.target.endsWith("/") && levels.length > 0) levels[levels.length - 1] += "/";
  return levels;
}

function isExisting(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EEXIST";
}

function flagsOf(request: PlaceRequest): number {
  return request.kind === "entry" ? O_PATH | nodeBuiltin("node:fs").constants.O_DIRECTORY : O_PATH;
}

function attemptOf(request: PlaceRequest): Attempt {
  if (request.kind === "target") return { open: request.target, rest: "" };
  // A trailing slash stays on the entry: it must then be a directory, as the walk's path said.
  return { open: dirname(request.target), rest: basename(request.target) + (request.target.endsWith("/") ? "/" : "") };
}

/**
 * The system call node:fs names in its message for each operation (async, sync): a place that
 * cannot be opened fails as the operation itself would have, with the same text (design.md §7).
 */
const SYSCALLS: Readonly<Record<string, readonly [string, string]>> = {
  stat: ["stat", "stat"],
  openDir: ["stat", "stat"],
  readDir: ["opendir", "scandir"],
  mkdir: ["mkdir", "mkdir"],
  rename: ["rename", "rename"],
  removeFile: ["unlink", "unlink"],
  removeDir: ["rmdir", "rmdir"],
};

/** The open's error as the operation's: `open '<what was opened>'` becomes `<syscall> '<target>'`. */
function openFailed(error: unknown, request: PlaceRequest, sync: boolean): unknown {
  if (!(error instanceof Error)) return error;
  const syscall = SYSCALLS[request.op]?.[sync ? 1 : 0];
  const opened = attemptOf(request).open;
  if (syscall !== undefined) error.message = error.message.split(`, open '${opened}'`).join(`, ${syscall} '${opened}'`);
  return renamed(error, opened, request);
}

function adopt(fd: number, attempt: Attempt, request: PlaceRequest, close: (fd: number) => void): Place {
  const real = realPathOfFd(fd);
  if (real === undefined) {
    // No /proc: the walk's path, as before this check existed.
    close(fd);
    return { path: request.target, real: undefined, named: (error) => error, close: () => undefined };
  }
  if (!isBeneath(request.realRoot, real)) {
    close(fd);
    throw new IoError("PermissionDenied", `${request.op}: ${JSON.stringify(request.target)} leads outside its directory: ${request.kind === "entry" ? "its directory" : "what it names"} is not beneath the root (a symlink swapped in while it was resolved)`, {
      op: request.op,
      backend: request.backend,
      path: request.target,
    });
  }
  const path = attempt.rest === "" ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${attempt.rest}`;
  let open = true;
  return {
    path,
    real,
    named: (error) => renamed(error, path, request),
    close: () => {
      if (!open) return;
      open = false;
      close(fd);
    },
  };
}

/** `error` with `from` in its message (and its `path`) replaced by the target the caller named. */
function renamed<E>(error: E, from: string, request: PlaceRequest): E {
  if (!(error instanceof Error) || from === request.target) return error;
  // Node quotes the path; a message that does not (a worker's, rebuilt) has it bare.
  const quoted = `'${from}'`;
  error.message = error.message.includes(quoted) ? error.message.split(quoted).join(`'${request.target}'`) : error.message.split(from).join(request.target);
  const withPath = error as Error & { path?: unknown };
  if (typeof withPath.path === "string") {
    try {
      withPath.path = request.target;
    } catch {
      // A read-only path property (an IoError's): the message already names the target.
    }
  }
  return error;
}
