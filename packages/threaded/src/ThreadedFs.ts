/**
 * The file system on the threaded backend. Every operation runs on a worker as a Meta entry
 * whose arguments and reply travel through that worker's port (internal/messages.ts says why);
 * the `*Sync` twins block in Atomics.wait until the reply is in. Without a root it takes any
 * path; as a directory handle (`openDir`) it confines paths as libuv's does: lexically here
 * (absolute paths and `..` that climbs out are InvalidInput), then on the disk in the worker,
 * right before the call (a symlink leading outside is PermissionDenied).
 */
import { resolve } from "node:path";
import { IoError, type DirEntry, type DirHandle, type FileStat, type Fs, type MkdirOptions, type OpenOptions, type RemoveDirOptions } from "@pktio/core";
import { checkPath, resolveBeneath, resolveOpenOptions, type ResolvedOpenOptions } from "@pktio/core/backend";
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
    const target = this.#path(path, "open");
    const fd = await this.#meta("open", target, { op: "open", path: target, flags: openFlags(resolved), root: this.#root });
    return this.#adopt(fd, target, resolved);
  }
  openSync(path: string, options?: OpenOptions): ThreadedFile {
    const resolved = resolveOpenOptions(options);
    const target = this.#path(path, "open");
    const fd = this.#metaSync("open", target, { op: "open", path: target, flags: openFlags(resolved), root: this.#root });
    return this.#adopt(fd, target, resolved);
  }

  async stat(path: string): Promise<FileStat> {
    const target = this.#path(path, "stat");
    return this.#meta("stat", target, { op: "stat", path: target, root: this.#root });
  }
  statSync(path: string): FileStat {
    const target = this.#path(path, "stat");
    return this.#metaSync("stat", target, { op: "stat", path: target, root: this.#root });
  }

  async *readDir(path: string): AsyncIterable<DirEntry> {
    const target = this.#path(path, "readDir");
    yield* await this.#meta("readDir", target, { op: "readDir", path: target, root: this.#root });
  }
  readDirSync(path: string): DirEntry[] {
    const target = this.#path(path, "readDir");
    return this.#metaSync("readDir", target, { op: "readDir", path: target, root: this.#root });
  }

  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    const target = this.#path(path, "mkdir");
    await this.#meta("mkdir", target, { op: "mkdir", path: target, recursive: options.recursive === true, root: this.#root });
  }
  mkdirSync(path: string, options: MkdirOptions = {}): void {
    const target = this.#path(path, "mkdir");
    this.#metaSync("mkdir", target, { op: "mkdir", path: target, recursive: options.recursive === true, root: this.#root });
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.#path(from, "rename");
    await this.#meta("rename", source, { op: "rename", from: source, to: this.#path(to, "rename"), root: this.#root });
  }
  renameSync(from: string, to: string): void {
    const source = this.#path(from, "rename");
    this.#metaSync("rename", source, { op: "rename", from: source, to: this.#path(to, "rename"), root: this.#root });
  }

  async removeFile(path: string): Promise<void> {
    const target = this.#path(path, "removeFile");
    await this.#meta("removeFile", target, { op: "removeFile", path: target, root: this.#root });
  }
  removeFileSync(path: string): void {
    const target = this.#path(path, "removeFile");
    this.#metaSync("removeFile", target, { op: "removeFile", path: target, root: this.#root });
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<void> {
    const target = this.#path(path, "removeDir");
    await this.#meta("removeDir", target, { op: "removeDir", path: target, recursive: options.recursive === true, root: this.#root });
  }
  removeDirSync(path: string, options: RemoveDirOptions = {}): void {
    const target = this.#path(path, "removeDir");
    this.#metaSync("removeDir", target, { op: "removeDir", path: target, recursive: options.recursive === true, root: this.#root });
  }

  async copyFile(from: string, to: string): Promise<void> {
    const source = this.#path(from, "copyFile");
    await this.#meta("copyFile", source, { op: "copyFile", from: source, to: this.#path(to, "copyFile"), root: this.#root });
  }
  copyFileSync(from: string, to: string): void {
    const source = this.#path(from, "copyFile");
    this.#metaSync("copyFile", source, { op: "copyFile", from: source, to: this.#path(to, "copyFile"), root: this.#root });
  }

  async openDir(path: string): Promise<ThreadedDirHandle> {
    const target = this.#path(path, "openDir");
    const real = await this.#meta("openDir", target, { op: "openDir", path: target, root: this.#root });
    return new ThreadedDirHandle(this.backend, { path: target, real });
  }
  openDirSync(path: string): ThreadedDirHandle {
    const target = this.#path(path, "openDir");
    const real = this.#metaSync("openDir", target, { op: "openDir", path: target, root: this.#root });
    return new ThreadedDirHandle(this.backend, { path: target, real });
  }

  /** Marks this handle closed; later calls fail with kind Closed. */
  protected markClosed(): void {
    this.#closed = true;
  }

  #adopt(fd: number, path: string, options: ResolvedOpenOptions): ThreadedFile {
    try {
      return new ThreadedFile(this.backend, fd, path, { readable: options.read, writable: options.write || options.append });
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

  async #meta<K extends MetaRequest["op"]>(op: K, path: string, request: MetaRequest & { op: K }): Promise<MetaValues[K]> {
    return value<K>(await this.backend.perform(Op.Meta, -1, 0, request), op, path);
  }
  #metaSync<K extends MetaRequest["op"]>(op: K, path: string, request: MetaRequest & { op: K }): MetaValues[K] {
    return value<K>(this.backend.performSync(Op.Meta, -1, 0, request), op, path);
  }
}

/** The value of a settled Meta request, or its error thrown. */
function value<K extends MetaRequest["op"]>(request: Request, op: K, path: string): MetaValues[K] {
  if (request.lost !== undefined) throw request.lost;
  const reply = request.reply;
  if (reply === undefined) throw new IoError("Other", `${op}: the worker sent no reply for ${JSON.stringify(path)}`, { op, backend: BACKEND, path });
  if (!reply.ok) throw replyError(reply, op, path);
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
