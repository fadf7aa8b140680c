/**
 * The file system on the threaded backend. Every operation runs on a worker as a Meta entry
 * whose arguments and reply travel through that worker's port (internal/messages.ts says why);
 * the `*Sync` twins block in Atomics.wait until the reply is in. Without a root it takes any
 * path; as a directory handle (`openDir`) it confines paths as libuv's does: lexically here
 * (absolute paths and `..` that climbs out are InvalidInput), then on the disk in the worker,
 * right before the call (a symlink leading outside is PermissionDenied).
 */
import { closeSync, constants } from "node:fs";
import { resolve } from "node:path";
import { IoError, type DirEntry, type DirHandle, type FileStat, type Fs, type MkdirOptions, type OpenOptions, type RemoveDirOptions } from "@pktio/core";
import { checkPath, copyThroughHandles, createMode, copyThroughHandlesSync, dirOptions, mkdirAllBeneath, mkdirAllBeneathSync, openBeneath, openBeneathSync, removeTreeAt, removeTreeAtSync, slashedEntry, openFifoWithoutBlocking, refuseFifoSource, refuseSpecialDestination, refuseSpecialDestinationSync, resolveBeneath, resolveOpenOptions, usePlaceBeneath, usePlaceBeneathSync, type Confined, type MkdirAllCalls, type MkdirAllCallsSync, type PlaceCalls, type PlaceCallsSync, type PlaceKind, type RemoveTreeCalls, type RemoveTreeCallsSync, type ResolvedOpenOptions, type TreeEntry } from "@pktio/core/backend";
import { confinePath, confinePathSync } from "./internal/confinePath.js";
import { BACKEND, replyError } from "./internal/errors.js";
import type { MetaRequest, MetaValues, RootRef } from "./internal/messages.js";
import { openFlags } from "./internal/openFlags.js";
import type { Request } from "./internal/Request.js";
import { Op } from "./internal/ringLayout.js";
import type { ThreadedBackend } from "./ThreadedBackend.js";
import { ThreadedFile } from "./ThreadedFile.js";

export class ThreadedFs implements Fs {
  readonly backend: ThreadedBackend;
  readonly #root: RootRef | undefined;
  #closed = false;

  constructor(backend: ThreadedBackend, root?: RootRef) {
    this.backend = backend;
    this.#root = root;
  }

  protected get root(): RootRef | undefined {
    return this.#root;
  }

  async open(path: string, options?: OpenOptions): Promise<ThreadedFile> {
    const resolved = resolveOpenOptions(options);
    const { path: target, lastIsSymlink } = await this.#walk(path, "open", true);
    const flags = openFlagsBeneath(resolved, this.#root, lastIsSymlink);
    // A FIFO opens O_NONBLOCK (core's openFifoWithoutBlocking): its open never holds a worker.
    const mode = createMode(resolved);
    const openOnce = (withFlags: number): Promise<number> => this.#meta("open", target, { op: "open", path: target, flags: withFlags, mode, root: this.#root });
    const open = (withFlags: number): Promise<number> => openFifoWithoutBlocking(target, withFlags, openOnce, () => this.backend.closed, BACKEND);
    const root = this.#root;
    // Beneath a root, O_TRUNC and O_CREAT wait for the fd's check (core's openBeneath); without one the open is one call.
    const fd = root === undefined ? await open(flags) : await openBeneath(flags, { realRoot: root.real, path: target, backend: BACKEND }, { open, close: (opened) => closeSync(opened) });
    return this.#adopt(fd, target, resolved);
  }
  openSync(path: string, options?: OpenOptions): ThreadedFile {
    const resolved = resolveOpenOptions(options);
    const { path: target, lastIsSymlink } = this.#walkSync(path, "open", true);
    const flags = openFlagsBeneath(resolved, this.#root, lastIsSymlink);
    const mode = createMode(resolved);
    const open = (withFlags: number): number => this.#metaSync("open", target, { op: "open", path: target, flags: withFlags, mode, root: this.#root });
    const root = this.#root;
    const fd = root === undefined ? open(flags) : openBeneathSync(flags, { realRoot: root.real, path: target, backend: BACKEND }, { open, close: (opened) => closeSync(opened) });
    return this.#adopt(fd, target, resolved);
  }

  async stat(path: string): Promise<FileStat> {
    const target = (await this.#walk(path, "stat", true)).path;
    return this.#at("stat", target, "target", (at) => this.#meta("stat", target, { op: "stat", path: at, root: this.#root }));
  }
  statSync(path: string): FileStat {
    const target = this.#walkSync(path, "stat", true).path;
    return this.#atSync("stat", target, "target", (at) => this.#metaSync("stat", target, { op: "stat", path: at, root: this.#root }));
  }

  async *readDir(path: string): AsyncIterable<DirEntry> {
    const target = (await this.#walk(path, "readDir", true)).path;
    yield* await this.#at("readDir", target, "target", (at) => this.#meta("readDir", target, { op: "readDir", path: at, root: this.#root }));
  }
  readDirSync(path: string): DirEntry[] {
    const target = this.#walkSync(path, "readDir", true).path;
    return this.#atSync("readDir", target, "target", (at) => this.#metaSync("readDir", target, { op: "readDir", path: at, root: this.#root }));
  }

  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    options = dirOptions(options, "mkdir");
    const target = (await this.#walk(path, "mkdir", false)).path;
    const root = this.#root;
    if (root !== undefined && options.recursive === true) {
      const calls: MkdirAllCalls = {
        ...this.#placeCalls("mkdir", target, root),
        mkdir: (at) => this.#meta("mkdir", target, { op: "mkdir", path: at, recursive: false, root }),
        isDirectory: async (at) => (await this.#meta("stat", target, { op: "stat", path: at, root })).type === "directory",
      };
      return mkdirAllBeneath({ target, root: root.path, realRoot: root.real, op: "mkdir", backend: BACKEND }, calls);
    }
    await this.#at("mkdir", target, "entry", (at) => this.#meta("mkdir", target, { op: "mkdir", path: at, recursive: options.recursive === true, root: this.#root }));
  }
  mkdirSync(path: string, options: MkdirOptions = {}): void {
    options = dirOptions(options, "mkdirSync");
    const target = this.#walkSync(path, "mkdir", false).path;
    const root = this.#root;
    if (root !== undefined && options.recursive === true) {
      const calls: MkdirAllCallsSync = {
        ...this.#placeCallsSync("mkdir", target, root),
        mkdir: (at) => this.#metaSync("mkdir", target, { op: "mkdir", path: at, recursive: false, root }),
        isDirectory: (at) => this.#metaSync("stat", target, { op: "stat", path: at, root }).type === "directory",
      };
      return mkdirAllBeneathSync({ target, root: root.path, realRoot: root.real, op: "mkdir", backend: BACKEND }, calls);
    }
    this.#atSync("mkdir", target, "entry", (at) => this.#metaSync("mkdir", target, { op: "mkdir", path: at, recursive: options.recursive === true, root: this.#root }));
  }

  async rename(from: string, to: string): Promise<void> {
    const source = (await this.#walk(from, "rename", false)).path;
    const destination = (await this.#walk(to, "rename", false)).path;
    await this.#at("rename", source, "entry", (at) => this.#at("rename", destination, "entry", (atTo) => this.#meta("rename", source, { op: "rename", from: at, to: atTo, root: this.#root })));
  }
  renameSync(from: string, to: string): void {
    const source = this.#walkSync(from, "rename", false).path;
    const destination = this.#walkSync(to, "rename", false).path;
    this.#atSync("rename", source, "entry", (at) => this.#atSync("rename", destination, "entry", (atTo) => this.#metaSync("rename", source, { op: "rename", from: at, to: atTo, root: this.#root })));
  }

  async removeFile(path: string): Promise<void> {
    const target = (await this.#walk(path, "removeFile", false)).path;
    await this.#at("removeFile", target, "entry", (at) => this.#meta("removeFile", target, { op: "removeFile", path: at, root: this.#root }));
  }
  removeFileSync(path: string): void {
    const target = this.#walkSync(path, "removeFile", false).path;
    this.#atSync("removeFile", target, "entry", (at) => this.#metaSync("removeFile", target, { op: "removeFile", path: at, root: this.#root }));
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<void> {
    options = dirOptions(options, "removeDir");
    const target = (await this.#walk(path, "removeDir", false)).path;
    const recursive = options.recursive === true;
    const root = this.#root;
    if (root !== undefined && recursive) {
      // Each directory through its own fd (core's removeTreeAt): the worker's rm -r walks by path.
      return this.#at("removeDir", target, "entry", (at) => removeTreeAt(at, this.#treeCalls(target, root)));
    }
    await this.#at("removeDir", target, "entry", (at) => this.#meta("removeDir", target, { op: "removeDir", path: at, recursive, root: this.#root }));
  }
  removeDirSync(path: string, options: RemoveDirOptions = {}): void {
    options = dirOptions(options, "removeDirSync");
    const target = this.#walkSync(path, "removeDir", false).path;
    const recursive = options.recursive === true;
    const root = this.#root;
    if (root !== undefined && recursive) return this.#atSync("removeDir", target, "entry", (at) => removeTreeAtSync(at, this.#treeCallsSync(target, root)));
    this.#atSync("removeDir", target, "entry", (at) => this.#metaSync("removeDir", target, { op: "removeDir", path: at, recursive, root: this.#root }));
  }

  async copyFile(from: string, to: string): Promise<void> {
    // Beneath a root, through the handle's confined opens: the worker's copyfile opens the destination by path.
    if (this.#root !== undefined) return copyThroughHandles(this, from, to, "threaded");
    const source = (await this.#walk(from, "copyFile", true)).path;
    await refuseFifoSource(source, BACKEND);
    const destination = (await this.#walk(to, "copyFile", true)).path;
    await refuseSpecialDestination(destination, BACKEND);
    await this.#meta("copyFile", source, { op: "copyFile", from: source, to: destination, root: this.#root });
  }
  copyFileSync(from: string, to: string): void {
    if (this.#root !== undefined) return copyThroughHandlesSync(this, from, to, "threaded");
    const source = this.#walkSync(from, "copyFile", true).path;
    const destination = this.#walkSync(to, "copyFile", true).path;
    refuseSpecialDestinationSync(destination, BACKEND);
    this.#metaSync("copyFile", source, { op: "copyFile", from: source, to: destination, root: this.#root });
  }

  async openDir(path: string): Promise<ThreadedDirHandle> {
    const target = (await this.#walk(path, "openDir", true)).path;
    const real = await this.#at("openDir", target, "target", (at) => this.#meta("openDir", target, { op: "openDir", path: at, root: this.#root }));
    return new ThreadedDirHandle(this.backend, { path: target, real });
  }
  openDirSync(path: string): ThreadedDirHandle {
    const target = this.#walkSync(path, "openDir", true).path;
    const real = this.#atSync("openDir", target, "target", (at) => this.#metaSync("openDir", target, { op: "openDir", path: at, root: this.#root }));
    return new ThreadedDirHandle(this.backend, { path: target, real });
  }

  /** Marks this handle closed; later calls fail with kind Closed. */
  protected markClosed(): void {
    this.#closed = true;
  }

  /** An fd the open returned (checked beneath the root by `openBeneath`) as this backend's file. */
  #adopt(fd: number, path: string, options: ResolvedOpenOptions): ThreadedFile {
    try {
      return new ThreadedFile(this.backend, fd, path, { readable: options.read, writable: options.write || options.append, direct: options.direct });
    } catch (error) {
      // The runtime closed while the open was in flight: the fd must not leak. close() waits
      // for this request like any other before it stops the workers.
      void this.backend.perform(Op.Close, fd, 0);
      throw error;
    }
  }

  /** The absolute path an operation works on; throws Closed, or InvalidInput for a path that leaves the root. */
  #path(path: string, op: string): string {
    if (this.#closed) throw new IoError("Closed", `${op}: the directory handle is closed`, { op, backend: BACKEND });
    if (this.backend.closed) throw new IoError("Closed", `${op}: the threaded runtime is closed`, { op, backend: BACKEND });
    const root = this.#root;
    return root === undefined ? resolve(checkPath(path, "path", op)) : resolveBeneath(root.path, path, op);
  }

  /**
   * `#path`, then beneath a root the component walk (confinePath): symlinks leading outside are
   * PermissionDenied, dangling ones included. `followLast` false: the operation acts on the entry.
   */
  async #walk(path: string, op: string, followLast: boolean): Promise<Confined> {
    const lexical = this.#path(path, op);
    const root = this.#root;
    const confined = root === undefined ? { path: lexical, lastIsSymlink: false } : await confinePath(root.path, root.real, path, op, followLast);
    return { ...confined, path: slashedEntry(path, op, followLast || root === undefined, confined) };
  }
  #walkSync(path: string, op: string, followLast: boolean): Confined {
    const lexical = this.#path(path, op);
    const root = this.#root;
    const confined = root === undefined ? { path: lexical, lastIsSymlink: false } : confinePathSync(root.path, root.real, path, op, followLast);
    return { ...confined, path: slashedEntry(path, op, followLast || root === undefined, confined) };
  }

  /**
   * `call` on where `target` is: beneath a root, core's placeBeneath (the worker opens the place,
   * O_PATH; the fd is checked beneath the real root and the worker's call names it through
   * /proc/self/fd, the same fd table), so that a directory swapped for a symlink out after the
   * walk cannot redirect the call; without a root, `target` itself.
   */
  async #at<T>(op: MetaRequest["op"], target: string, kind: PlaceKind, call: (at: string) => Promise<T>): Promise<T> {
    const root = this.#root;
    if (root === undefined) return call(target);
    return usePlaceBeneath({ target, kind, root: root.path, realRoot: root.real, op, backend: BACKEND }, this.#placeCalls(op, target, root), call);
  }
  #atSync<T>(op: MetaRequest["op"], target: string, kind: PlaceKind, call: (at: string) => T): T {
    const root = this.#root;
    if (root === undefined) return call(target);
    return usePlaceBeneathSync({ target, kind, root: root.path, realRoot: root.real, op, backend: BACKEND }, this.#placeCallsSync(op, target, root), call);
  }

  /** The worker opens a place (O_PATH); its errors name the operation (`op`), not the open: the place fails as the operation would. */
  #placeCalls(op: MetaRequest["op"], target: string, root: RootRef): PlaceCalls {
    return { open: (path, flags) => this.#meta(op, target, { op: "open", path, flags, mode: 0o666, root }), close: (fd) => closeSync(fd) };
  }
  #placeCallsSync(op: MetaRequest["op"], target: string, root: RootRef): PlaceCallsSync {
    return { open: (path, flags) => this.#metaSync(op, target, { op: "open", path, flags, mode: 0o666, root }), close: (fd) => closeSync(fd) };
  }

  /** A recursive removal beneath the root (core's removeTreeAt), each call on the worker. */
  #treeCalls(target: string, root: RootRef): RemoveTreeCalls {
    return {
      ...this.#placeCalls("removeDir", target, root),
      readDir: async (path) => (await this.#meta("removeDir", target, { op: "readDir", path, root })).map(treeEntry),
      unlink: (path) => this.#meta("removeDir", target, { op: "removeFile", path, root }),
      rmdir: (path) => this.#meta("removeDir", target, { op: "removeDir", path, recursive: false, root }),
    };
  }
  #treeCallsSync(target: string, root: RootRef): RemoveTreeCallsSync {
    return {
      ...this.#placeCallsSync("removeDir", target, root),
      readDir: (path) => this.#metaSync("removeDir", target, { op: "readDir", path, root }).map(treeEntry),
      unlink: (path) => this.#metaSync("removeDir", target, { op: "removeFile", path, root }),
      rmdir: (path) => this.#metaSync("removeDir", target, { op: "removeDir", path, recursive: false, root }),
    };
  }

  /** `request` on a worker; `op` and `path` name the caller's operation in its errors (a place's open fails as that operation). */
  async #meta<K extends MetaRequest["op"]>(op: MetaRequest["op"], path: string, request: MetaRequest & { op: K }): Promise<MetaValues[K]> {
    return value<K>(await this.backend.perform(Op.Meta, -1, 0, request), op, path);
  }
  #metaSync<K extends MetaRequest["op"]>(op: MetaRequest["op"], path: string, request: MetaRequest & { op: K }): MetaValues[K] {
    return value<K>(this.backend.performSync(Op.Meta, -1, 0, request), op, path, true);
  }
}

/** A listing's entry as removeTreeAt's (a symlink is not a directory: it is unlinked, never followed). */
function treeEntry(entry: DirEntry): TreeEntry {
  return { name: entry.name, directory: entry.type === "directory" };
}

/** Beneath a root, the last component is opened with O_NOFOLLOW unless the walk found an inside symlink there. */
function openFlagsBeneath(options: ResolvedOpenOptions, root: RootRef | undefined, lastIsSymlink: boolean): number {
  const flags = openFlags(options);
  return root === undefined || lastIsSymlink ? flags : flags | constants.O_NOFOLLOW;
}

/** The value of a settled Meta request, or its error thrown. */
function value<K extends MetaRequest["op"]>(request: Request, op: MetaRequest["op"], path: string, sync = false): MetaValues[K] {
  if (request.lost !== undefined) throw request.lost;
  const reply = request.reply;
  if (reply === undefined) throw new IoError("Other", `${op}: the worker sent no reply for ${JSON.stringify(path)}`, { op, backend: BACKEND, path });
  if (!reply.ok) throw replyError(reply, op, path, sync);
  return reply.value as MetaValues[K];
}

export class ThreadedDirHandle extends ThreadedFs implements DirHandle {
  get path(): string {
    return (this.root as RootRef).path;
  }
  close(): Promise<void> {
    this.markClosed();
    return Promise.resolve();
  }
  closeSync(): void {
    this.markClosed();
  }
}
