/**
 * The file system on libuv. Without a root it takes any path; as a directory handle (`openDir`)
 * it resolves relative paths beneath its root and refuses any that would leave it.
 */
import * as fs from "node:fs";
import { resolve } from "node:path";
import { IoError, toIoError, type DirEntry, type DirHandle, type FileHandle, type FileStat, type Fs, type MkdirOptions, type OpenOptions, type RemoveDirOptions } from "@pktio/core";
import { checkPath, copyThroughHandles, createMode, copyThroughHandlesSync, dirOptions, keepTrailingSlash, mkdirAllBeneath, mkdirAllBeneathSync, openBeneath, openBeneathSync, removeTreeAt, removeTreeAtSync, slashedEntry, openFifoWithoutBlocking, refuseFifoSource, refuseSpecialDestination, refuseSpecialDestinationSync, resolveOpenOptions, toIoErrorNamingPath, usePlaceBeneath, usePlaceBeneathSync, type MkdirAllCalls, type MkdirAllCallsSync, type PlaceCalls, type PlaceCallsSync, type PlaceKind, type RemoveTreeCalls, type RemoveTreeCallsSync, type ResolvedOpenOptions } from "@pktio/core/backend";
import { confineEntry, confineEntrySync } from "./internal/confine.js";
import { libuvError } from "./internal/errors.js";
import { openFlags } from "./internal/openFlags.js";
import { direntType, toFileStat } from "./internal/stat.js";
import type { LibuvBackend } from "./LibuvBackend.js";
import { LibuvFile } from "./LibuvFile.js";

const p = fs.promises;

/** Operations on the last component itself: a symlink there is not followed (removeFile removes the link). */
const ACTS_ON_ENTRY = new Set(["mkdir", "rename", "removeFile", "removeDir"]);

/** The place's fd (core's placeBeneath) through node:fs: an O_PATH open is a path lookup, nothing more. */
const PLACE_CALLS: PlaceCalls = {
  open: (path, flags) => new Promise((resolve, reject) => fs.open(path, flags, (error, fd) => (error === null ? resolve(fd) : reject(error)))),
  close: (fd) => fs.closeSync(fd),
};
const PLACE_CALLS_SYNC: PlaceCallsSync = { open: (path, flags) => fs.openSync(path, flags), close: (fd) => fs.closeSync(fd) };

/** A recursive removal beneath a root (core's removeTreeAt) through node:fs. */
const REMOVE_TREE_CALLS: RemoveTreeCalls = {
  ...PLACE_CALLS,
  readDir: async (path) => (await p.readdir(path, { withFileTypes: true })).map((entry) => ({ name: entry.name, directory: entry.isDirectory() })),
  unlink: (path) => p.unlink(path),
  rmdir: (path) => p.rmdir(path),
};
const REMOVE_TREE_CALLS_SYNC: RemoveTreeCallsSync = {
  ...PLACE_CALLS_SYNC,
  readDir: (path) => fs.readdirSync(path, { withFileTypes: true }).map((entry) => ({ name: entry.name, directory: entry.isDirectory() })),
  unlink: (path) => fs.unlinkSync(path),
  rmdir: (path) => fs.rmdirSync(path),
};

/** A directory handle's root: its path as given (absolute) and its real path. */
export interface Root {
  readonly path: string;
  readonly real: string;
}

export class LibuvFs implements Fs {
  readonly backend: LibuvBackend;
  readonly #root: Root | undefined;
  #closed = false;

  constructor(backend: LibuvBackend, root?: Root) {
    this.backend = backend;
    this.#root = root;
  }

  protected get root(): Root | undefined {
    return this.#root;
  }

  /** The absolute path an argument names: checked, and kept beneath the root of a directory handle. */
  protected resolvePath(path: string, op: string, followLast = !ACTS_ON_ENTRY.has(op)): Promise<string> {
    return this.#path(path, op, followLast);
  }
  protected resolvePathSync(path: string, op: string, followLast = !ACTS_ON_ENTRY.has(op)): string {
    return this.#pathSync(path, op, followLast);
  }

  /** The directory handle `openDir` returns; a backend that builds on this class makes its own. */
  protected makeDirHandle(root: Root): DirHandle {
    return new LibuvDirHandle(this.backend, root);
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const resolved = resolveOpenOptions(options);
    const [target, flags] = await this.openTarget(path, resolved);
    // A FIFO opens O_NONBLOCK (core's openFifoWithoutBlocking): its open never holds a pool thread.
    const mode = createMode(resolved);
    const open = (withFlags: number): Promise<number> => openFifoWithoutBlocking(target, withFlags, (fifoFlags) => this.#openFd(target, fifoFlags, mode), () => this.backend.closed, "libuv");
    const root = this.#root;
    // Beneath a root, O_TRUNC and O_CREAT wait for the fd's check (core's openBeneath); without one the open is one call.
    const fd = root === undefined ? await open(flags) : await openBeneath(flags, { realRoot: root.real, path: target, backend: this.runtimeName }, { open, close: (opened) => fs.closeSync(opened) });
    return this.#adopt(fd, target, resolved);
  }

  /**
   * `fs.open` on libuv's pool (the callback API gives a raw fd; a promise FileHandle would close
   * it when collected), counted in the runtime's close: a close that stops waiting for it
   * (closeGraceMs; an open of a FIFO without a writer blocks a pool thread) answers it Closed,
   * and the fd that open returns later is closed at once.
   */
  #openFd(target: string, flags: number, mode: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let answered = false;
      let forget = (): void => undefined;
      const opened = new Promise<void>((done) => {
        fs.open(target, flags, mode, (error, fd) => {
          done();
          forget();
          if (answered) {
            if (error === null) fs.close(fd, () => undefined);
            return;
          }
          answered = true;
          if (error === null) resolve(fd);
          else reject(libuvError(error, "open", target));
        });
      });
      if (this.backend.closed) return;
      forget = this.backend.track({
        close: async () => {
          if ((await this.backend.within(opened)) || answered) return;
          answered = true;
          reject(new IoError("Closed", `open: ${JSON.stringify(target)}: the libuv runtime was closed before the open completed`, { op: "open", backend: "libuv", path: target }));
        },
      });
    });
  }

  openSync(path: string, options?: OpenOptions): FileHandle {
    const resolved = resolveOpenOptions(options);
    const [target, flags] = this.openTargetSync(path, resolved);
    const mode = createMode(resolved);
    const open = (withFlags: number): number => this.#callSync("open", target, () => fs.openSync(target, withFlags, mode));
    const root = this.#root;
    const fd = root === undefined ? open(flags) : openBeneathSync(flags, { realRoot: root.real, path: target, backend: this.runtimeName }, { open, close: (opened) => fs.closeSync(opened) });
    return this.#adopt(fd, target, resolved);
  }

  /**
   * Beneath a root, the last component is opened with O_NOFOLLOW unless the walk found it to be a
   * symlink that stays inside: a symlink swapped in after the check then fails (ELOOP) instead of
   * being followed out. The path to open and its flags (O_TRUNC and O_CREAT as asked: beneath a
   * root, `openBeneath` decides when they act). uring opens on its ring with the same two.
   */
  protected async openTarget(path: string, options: ResolvedOpenOptions): Promise<[string, number]> {
    if (this.#root === undefined) return [await this.#path(path, "open"), openFlags(options)];
    this.#check("open");
    const entry = await this.#confined(() => confineEntry(this.#root!.path, this.#root!.real, path, "open"));
    return [keepTrailingSlash(path, entry.path), openFlags(options) | (entry.lastIsSymlink ? 0 : fs.constants.O_NOFOLLOW)];
  }
  protected openTargetSync(path: string, options: ResolvedOpenOptions): [string, number] {
    if (this.#root === undefined) return [this.#pathSync(path, "open"), openFlags(options)];
    this.#check("open");
    const root = this.#root;
    const entry = this.#confinedSync(() => confineEntrySync(root.path, root.real, path, "open"));
    return [keepTrailingSlash(path, entry.path), openFlags(options) | (entry.lastIsSymlink ? 0 : fs.constants.O_NOFOLLOW)];
  }

  async stat(path: string): Promise<FileStat> {
    const target = await this.#path(path, "stat");
    return toFileStat(await this.#call("stat", target, () => this.atPlace("stat", target, "target", (at) => p.stat(at, { bigint: true }))));
  }
  statSync(path: string): FileStat {
    const target = this.#pathSync(path, "stat");
    return toFileStat(this.#callSync("stat", target, () => this.atPlaceSync("stat", target, "target", (at) => fs.statSync(at, { bigint: true }))));
  }

  async *readDir(path: string): AsyncIterable<DirEntry> {
    const target = await this.#path(path, "readDir");
    // The Dir opens the place again: the place's own fd may close once it has.
    const dir = await this.#call("readDir", target, () => this.atPlace("readDir", target, "target", (at) => p.opendir(at)));
    try {
      for await (const entry of dir) yield { name: entry.name, type: direntType(entry) };
    } catch (error) {
      throw libuvError(error, "readDir", target);
    }
  }
  readDirSync(path: string): DirEntry[] {
    const target = this.#pathSync(path, "readDir");
    return this.#callSync("readDir", target, () => this.atPlaceSync("readDir", target, "target", (at) => fs.readdirSync(at, { withFileTypes: true }))).map((entry) => ({ name: entry.name, type: direntType(entry) }));
  }

  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    options = dirOptions(options, "mkdir");
    const target = await this.#path(path, "mkdir", false);
    const root = this.#root;
    if (root !== undefined && options.recursive === true) {
      const calls: MkdirAllCalls = { ...PLACE_CALLS, mkdir: async (at) => void (await p.mkdir(at)), isDirectory: async (at) => (await p.stat(at)).isDirectory() };
      return this.#call("mkdir", target, () => mkdirAllBeneath({ target, root: root.path, realRoot: root.real, op: "mkdir", backend: this.runtimeName }, calls));
    }
    await this.#call("mkdir", target, () => this.atPlace("mkdir", target, "entry", (at) => p.mkdir(at, { recursive: options.recursive === true })));
  }
  mkdirSync(path: string, options: MkdirOptions = {}): void {
    options = dirOptions(options, "mkdirSync");
    const target = this.#pathSync(path, "mkdir", false);
    const root = this.#root;
    if (root !== undefined && options.recursive === true) {
      const calls: MkdirAllCallsSync = { ...PLACE_CALLS_SYNC, mkdir: (at) => void fs.mkdirSync(at), isDirectory: (at) => fs.statSync(at).isDirectory() };
      return this.#callSync("mkdir", target, () => mkdirAllBeneathSync({ target, root: root.path, realRoot: root.real, op: "mkdir", backend: this.runtimeName }, calls));
    }
    this.#callSync("mkdir", target, () => this.atPlaceSync("mkdir", target, "entry", (at) => fs.mkdirSync(at, { recursive: options.recursive === true })));
  }

  async rename(from: string, to: string): Promise<void> {
    const source = await this.#path(from, "rename", false);
    const destination = await this.#path(to, "rename", false);
    await this.#call("rename", source, () => this.atPlace("rename", source, "entry", (from) => this.atPlace("rename", destination, "entry", (to) => p.rename(from, to))));
  }
  renameSync(from: string, to: string): void {
    const source = this.#pathSync(from, "rename", false);
    const destination = this.#pathSync(to, "rename", false);
    this.#callSync("rename", source, () => this.atPlaceSync("rename", source, "entry", (from) => this.atPlaceSync("rename", destination, "entry", (to) => fs.renameSync(from, to))));
  }

  async removeFile(path: string): Promise<void> {
    const target = await this.#path(path, "removeFile", false);
    await this.#call("removeFile", target, () => this.atPlace("removeFile", target, "entry", (at) => p.unlink(at)));
  }
  removeFileSync(path: string): void {
    const target = this.#pathSync(path, "removeFile", false);
    this.#callSync("removeFile", target, () => this.atPlaceSync("removeFile", target, "entry", (at) => fs.unlinkSync(at)));
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<void> {
    options = dirOptions(options, "removeDir");
    const target = await this.#path(path, "removeDir", false);
    if (options.recursive !== true) return this.#call("removeDir", target, () => this.atPlace("removeDir", target, "entry", (at) => p.rmdir(at)));
    await this.#call("removeDir", target, () =>
      this.atPlace("removeDir", target, "entry", async (at) => {
        if (!(await p.lstat(at)).isDirectory()) throw new IoError("NotADirectory", `removeDir: ${JSON.stringify(target)} is not a directory`, { op: "removeDir", path: target, backend: "libuv" });
        // Beneath a root, each directory through its own fd (core's removeTreeAt): rm -r walks by path.
        await (this.#root === undefined ? p.rm(at, { recursive: true }) : removeTreeAt(at, REMOVE_TREE_CALLS));
      }),
    );
  }
  removeDirSync(path: string, options: RemoveDirOptions = {}): void {
    options = dirOptions(options, "removeDirSync");
    const target = this.#pathSync(path, "removeDir", false);
    if (options.recursive !== true) return this.#callSync("removeDir", target, () => this.atPlaceSync("removeDir", target, "entry", (at) => fs.rmdirSync(at)));
    this.#callSync("removeDir", target, () =>
      this.atPlaceSync("removeDir", target, "entry", (at) => {
        if (!fs.lstatSync(at).isDirectory()) throw new IoError("NotADirectory", `removeDir: ${JSON.stringify(target)} is not a directory`, { op: "removeDir", path: target, backend: "libuv" });
        if (this.#root === undefined) fs.rmSync(at, { recursive: true });
        else removeTreeAtSync(at, REMOVE_TREE_CALLS_SYNC);
      }),
    );
  }

  async copyFile(from: string, to: string): Promise<void> {
    // Beneath a root, through the handle's confined opens: node:fs would open the destination by path.
    if (this.#root !== undefined) return copyThroughHandles(this, from, to, this.backend.name);
    const source = await this.#path(from, "copyFile");
    const destination = await this.#path(to, "copyFile");
    await refuseFifoSource(source, "libuv");
    await refuseSpecialDestination(destination, this.backend.name);
    await this.#call("copyFile", source, () => p.copyFile(source, destination));
  }
  copyFileSync(from: string, to: string): void {
    if (this.#root !== undefined) return copyThroughHandlesSync(this, from, to, this.backend.name);
    const source = this.#pathSync(from, "copyFile");
    const destination = this.#pathSync(to, "copyFile");
    refuseSpecialDestinationSync(destination, this.backend.name);
    this.#callSync("copyFile", source, () => fs.copyFileSync(source, destination));
  }

  async openDir(path: string): Promise<DirHandle> {
    const target = await this.#path(path, "openDir");
    // Beneath a root, the new handle's real root is where the checked fd is, not a second lookup of the path.
    const real = await this.#call("openDir", target, () =>
      this.atPlace("openDir", target, "target", async (at, placeReal) => {
        if (!(await p.stat(at)).isDirectory()) throw new IoError("NotADirectory", `openDir: ${JSON.stringify(target)} is not a directory`, { op: "openDir", path: target, backend: "libuv" });
        return placeReal ?? (await p.realpath(at));
      }),
    );
    return this.makeDirHandle({ path: target, real });
  }
  openDirSync(path: string): DirHandle {
    const target = this.#pathSync(path, "openDir");
    const real = this.#callSync("openDir", target, () =>
      this.atPlaceSync("openDir", target, "target", (at, placeReal) => {
        if (!fs.statSync(at).isDirectory()) throw new IoError("NotADirectory", `openDir: ${JSON.stringify(target)} is not a directory`, { op: "openDir", path: target, backend: "libuv" });
        return placeReal ?? fs.realpathSync(at);
      }),
    );
    return this.makeDirHandle({ path: target, real });
  }

  /**
   * `call` on where `target` is: beneath a root, core's placeBeneath (a path through an fd checked
   * beneath the real root, so that a directory swapped for a symlink out after the walk cannot
   * redirect the call), with the place's real path when known; without a root, `target` itself.
   * `kind` "entry" for operations on the entry itself (rename, remove, mkdir), else "target".
   */
  protected async atPlace<T>(op: string, target: string, kind: PlaceKind, call: (at: string, real: string | undefined) => Promise<T>): Promise<T> {
    const root = this.#root;
    if (root === undefined) return call(target, undefined);
    return usePlaceBeneath({ target, kind, root: root.path, realRoot: root.real, op, backend: this.runtimeName }, PLACE_CALLS, call, (error) => this.#placeError(error, op, target));
  }
  protected atPlaceSync<T>(op: string, target: string, kind: PlaceKind, call: (at: string, real: string | undefined) => T): T {
    const root = this.#root;
    if (root === undefined) return call(target, undefined);
    return usePlaceBeneathSync({ target, kind, root: root.path, realRoot: root.real, op, backend: this.runtimeName }, PLACE_CALLS_SYNC, call, (error) => this.#placeError(error, op, target));
  }

  /** A place that could not be opened, as this runtime's IoError naming the caller's path. */
  #placeError(error: unknown, op: string, target: string): IoError {
    return toIoErrorNamingPath(error, { op, backend: this.runtimeName, path: target });
  }

  /** Marks this handle closed; later calls fail with kind Closed. */
  protected markClosed(): void {
    this.#closed = true;
  }

  /** An fd the open returned (checked beneath the root by `openBeneath`) as this backend's file. */
  #adopt(fd: number, path: string, options: ResolvedOpenOptions): LibuvFile {
    try {
      return new LibuvFile(this.backend, fd, path, { readable: options.read, writable: options.write || options.append, direct: options.direct });
    } catch (error) {
      fs.closeSync(fd); // the runtime closed while opening: the fd must not leak
      throw error;
    }
  }

  /** The runtime's name in errors: a backend that builds on this class (uring) says its own, not libuv's. */
  protected get runtimeName(): string {
    return this.backend.name;
  }

  #check(op: string): void {
    const backend = this.runtimeName;
    if (this.#closed) throw new IoError("Closed", `${op}: the directory handle is closed`, { op, backend });
    if (this.backend.closed) throw new IoError("Closed", `${op}: the ${backend} runtime is closed`, { op, backend });
  }

  /** `followLast` false: the operation acts on the last component itself (rename, remove, mkdir). */
  async #path(path: string, op: string, followLast = true): Promise<string> {
    this.#check(op);
    const root = this.#root;
    if (root === undefined) return keepTrailingSlash(path, resolve(checkPath(path, "path", op)));
    return slashedEntry(path, op, followLast, await this.#confined(() => confineEntry(root.path, root.real, path, op, followLast)));
  }
  #pathSync(path: string, op: string, followLast = true): string {
    this.#check(op);
    const root = this.#root;
    if (root === undefined) return keepTrailingSlash(path, resolve(checkPath(path, "path", op)));
    return slashedEntry(path, op, followLast, this.#confinedSync(() => confineEntrySync(root.path, root.real, path, op, followLast)));
  }

  /** The walk's own IoErrors pass; a failed lstat/readlink on the way becomes one. */
  async #confined<T>(walk: () => Promise<T>): Promise<T> {
    try {
      return await walk();
    } catch (error) {
      throw error instanceof IoError || error instanceof TypeError ? error : toIoError(error, { backend: "libuv" });
    }
  }
  #confinedSync<T>(walk: () => T): T {
    try {
      return walk();
    } catch (error) {
      throw error instanceof IoError || error instanceof TypeError ? error : toIoError(error, { backend: "libuv" });
    }
  }

  async #call<T>(op: string, path: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw libuvError(error, op, path);
    }
  }
  #callSync<T>(op: string, path: string, call: () => T): T {
    try {
      return call();
    } catch (error) {
      throw libuvError(error, op, path);
    }
  }
}

export class LibuvDirHandle extends LibuvFs implements DirHandle {
  get path(): string {
    return (this.root as Root).path;
  }
  close(): Promise<void> {
    this.markClosed();
    return Promise.resolve();
  }
  closeSync(): void {
    this.markClosed();
  }
}
