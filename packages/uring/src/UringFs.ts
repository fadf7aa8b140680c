/**
 * The file system on io_uring: OPENAT, STATX, MKDIRAT, RENAMEAT and UNLINKAT go through the ring
 * when the kernel has them (probed once); everything io_uring lacks (readDir, copyFile, recursive
 * removal, realpath checks of directory handles) takes the libuv path, which this class extends.
 */
import { openSync as openSyncNode } from "node:fs";
import { IoError, toIoError, type DirHandle, type FileHandle, type FileStat, type MkdirOptions, type OpenOptions, type RemoveDirOptions } from "@pktio/core";
import { createMode, dirOptions, fromErrno, openBeneath, openBeneathSync, openOnceReaderComes, resolveOpenOptions, type ResolvedOpenOptions } from "@pktio/core/backend";
import { LibuvFs, type LibuvBackend, type Root } from "@pktio/libuv";
import { AT_FDCWD, AT_REMOVEDIR, cPath, parseStatx, STATX_MASK, STATX_SIZE } from "./internal/statx.js";
import { CLOSED, ringError, type Operation, type UringBackend } from "./UringBackend.js";
import { UringFile } from "./UringFile.js";

export class UringFs extends LibuvFs {
  readonly uring: UringBackend;

  constructor(uring: UringBackend, libuv: LibuvBackend, root?: Root) {
    super(libuv, root);
    this.uring = uring;
  }

  protected override get runtimeName(): string {
    return this.uring.name;
  }

  protected override makeDirHandle(root: Root): DirHandle {
    return new UringDirHandle(this.uring, this.backend, root);
  }

  #run(op: string, path: string, operation: Operation): Promise<number> {
    return new Promise((resolve, reject) =>
      this.uring.submit(operation, (result) => {
        result = this.#keepOrClose(operation, result);
        if (result < 0) reject(ringError(result, { op, path }));
        else resolve(result);
      }),
    );
  }

  #runSync(op: string, path: string, operation: Operation): number {
    let result: number | undefined;
    this.uring.submit(operation, (value) => (result = this.#keepOrClose(operation, value)));
    this.uring.blockOn(() => result !== undefined);
    if ((result as number) < 0) throw ringError(result as number, { op, path });
    return result as number;
  }

  /** An fd an open returned after the runtime began to close has no file to own it: closed here, at once. */
  #keepOrClose(operation: Operation, result: number): number {
    if (result < 0 || operation.opcode !== this.uring.opcodes.OPENAT || !this.uring.closed) return result;
    this.uring.closeFdNow(result);
    return CLOSED;
  }

  /** The OPENAT of `path` with these flags (O_CLOEXEC added: the ring's open is a raw openat) and create mode. */
  #openOperation(path: string, flags: number, mode: number): Operation {
    return { opcode: this.uring.opcodes.OPENAT, fd: AT_FDCWD, aux: flags | 0o2000000 /* O_CLOEXEC */, aux2: mode, buffer: cPath(path) };
  }

  /** Beneath a root, the checks of openBeneath (O_TRUNC and O_CREAT wait for the fd's check); without one the open is one call. */
  #beneath(target: string): { realRoot: string; path: string; backend: string } | undefined {
    const root = this.root;
    return root === undefined ? undefined : { realRoot: root.real, path: target, backend: this.uring.name };
  }

  override async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const resolved = resolveOpenOptions(options);
    const access = accessOf(resolved);
    // The path and flags libuv's open uses: beneath a root, O_NOFOLLOW unless the walk found an inside symlink last.
    const [target, flags] = await this.openTarget(path, resolved);
    const mode = createMode(resolved);
    const open = (withFlags: number): Promise<number> =>
      this.#run("open", target, this.#openOperation(target, withFlags, mode)).catch((error: unknown) => {
        if (!isFifoWithoutReader(error, access)) throw error;
        // The kernel's first, non-blocking attempt at an OPENAT fails ENXIO for a write-only open of
        // a FIFO that has no reader yet, where open(2) waits for one: the OPENAT is made again until
        // a reader comes, waiting in the event loop (a blocking open on libuv's pool held a thread,
        // and the process never exited after rt.close()). The fd it gives is a blocking one.
        return openOnceReaderComes(() => this.#run("open", target, this.#openOperation(target, withFlags, mode)), () => this.uring.closed, target, "uring");
      });
    const beneath = this.#beneath(target);
    const fd = beneath === undefined ? await open(flags) : await openBeneath(flags, beneath, { open, close: (opened) => this.uring.closeFdNow(opened), hold: () => this.#hold() });
    return this.#adopt(fd, target, access);
  }

  override openSync(path: string, options?: OpenOptions): FileHandle {
    const resolved = resolveOpenOptions(options);
    const access = accessOf(resolved);
    const [target, flags] = this.openTargetSync(path, resolved);
    const mode = createMode(resolved);
    const open = (withFlags: number): number => {
      const operation = this.#openOperation(target, withFlags, mode);
      try {
        return this.#runSync("open", target, operation);
      } catch (error) {
        if (!isFifoWithoutReader(error, access)) throw error;
        // As in open(): a blocking open(2) waits for the FIFO's reader (a sync call blocks anyway).
        try {
          return openSyncNode(target, operation.aux ?? 0, operation.aux2 ?? 0o666);
        } catch (failure) {
          throw toIoError(failure, { op: "open", backend: "uring", path: target });
        }
      }
    };
    const beneath = this.#beneath(target);
    const fd = beneath === undefined ? open(flags) : openBeneathSync(flags, beneath, { open, close: (opened) => this.uring.closeFdNow(opened) });
    return this.#adopt(fd, target, access);
  }

  /** The ring (which closes the fds it opened when it closes) kept while libuv's pool works on a new fd. */
  #hold(): () => void {
    this.uring.hold();
    return () => this.uring.release();
  }

  /** An fd the open returned (checked beneath the root by `openBeneath`) as this backend's file. */
  #adopt(fd: number, path: string, access: Access): UringFile {
    try {
      return new UringFile(this.uring, fd, path, access);
    } catch (error) {
      // The runtime closed while the open was in flight: the fd must not leak.
      this.uring.closeFdNow(fd);
      throw error;
    }
  }

  #statOperation(path: string, buffer: Uint8Array): Operation {
    return { opcode: this.uring.opcodes.STATX, fd: AT_FDCWD, aux: 0, aux2: STATX_MASK, buffer: cPath(path), buffer2: buffer };
  }

  override async stat(path: string): Promise<FileStat> {
    const target = await this.resolvePath(path, "stat");
    const buffer = new Uint8Array(STATX_SIZE);
    await this.atPlace("stat", target, "target", (at) => this.#run("stat", target, this.#statOperation(at, buffer)));
    return parseStatx(buffer);
  }
  override statSync(path: string): FileStat {
    const target = this.resolvePathSync(path, "stat");
    const buffer = new Uint8Array(STATX_SIZE);
    this.atPlaceSync("stat", target, "target", (at) => this.#runSync("stat", target, this.#statOperation(at, buffer)));
    return parseStatx(buffer);
  }

  override async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    options = dirOptions(options, "mkdir");
    if (options.recursive === true || !this.uring.has(this.uring.opcodes.MKDIRAT)) return super.mkdir(path, options);
    const target = await this.resolvePath(path, "mkdir");
    await this.atPlace("mkdir", target, "entry", (at) => this.#run("mkdir", target, { opcode: this.uring.opcodes.MKDIRAT, fd: AT_FDCWD, aux2: 0o777, buffer: cPath(at) }));
  }
  override mkdirSync(path: string, options: MkdirOptions = {}): void {
    options = dirOptions(options, "mkdirSync");
    if (options.recursive === true || !this.uring.has(this.uring.opcodes.MKDIRAT)) return super.mkdirSync(path, options);
    const target = this.resolvePathSync(path, "mkdir");
    this.atPlaceSync("mkdir", target, "entry", (at) => this.#runSync("mkdir", target, { opcode: this.uring.opcodes.MKDIRAT, fd: AT_FDCWD, aux2: 0o777, buffer: cPath(at) }));
  }

  #renameOperation(from: string, to: string): Operation {
    return { opcode: this.uring.opcodes.RENAMEAT, fd: AT_FDCWD, aux: AT_FDCWD, buffer: cPath(from), buffer2: cPath(to) };
  }
  override async rename(from: string, to: string): Promise<void> {
    if (!this.uring.has(this.uring.opcodes.RENAMEAT)) return super.rename(from, to);
    const source = await this.resolvePath(from, "rename");
    const destination = await this.resolvePath(to, "rename");
    await this.atPlace("rename", source, "entry", (from) => this.atPlace("rename", destination, "entry", (to) => this.#run("rename", source, this.#renameOperation(from, to))));
  }
  override renameSync(from: string, to: string): void {
    if (!this.uring.has(this.uring.opcodes.RENAMEAT)) return super.renameSync(from, to);
    const source = this.resolvePathSync(from, "rename");
    const destination = this.resolvePathSync(to, "rename");
    this.atPlaceSync("rename", source, "entry", (from) => this.atPlaceSync("rename", destination, "entry", (to) => this.#runSync("rename", source, this.#renameOperation(from, to))));
  }

  override async removeFile(path: string): Promise<void> {
    if (!this.uring.has(this.uring.opcodes.UNLINKAT)) return super.removeFile(path);
    const target = await this.resolvePath(path, "removeFile");
    await this.atPlace("removeFile", target, "entry", (at) => this.#run("removeFile", target, { opcode: this.uring.opcodes.UNLINKAT, fd: AT_FDCWD, buffer: cPath(at) }));
  }
  override removeFileSync(path: string): void {
    if (!this.uring.has(this.uring.opcodes.UNLINKAT)) return super.removeFileSync(path);
    const target = this.resolvePathSync(path, "removeFile");
    this.atPlaceSync("removeFile", target, "entry", (at) => this.#runSync("removeFile", target, { opcode: this.uring.opcodes.UNLINKAT, fd: AT_FDCWD, buffer: cPath(at) }));
  }

  override async removeDir(path: string, options: RemoveDirOptions = {}): Promise<void> {
    options = dirOptions(options, "removeDir");
    if (options.recursive === true || !this.uring.has(this.uring.opcodes.UNLINKAT)) return super.removeDir(path, options);
    const target = await this.resolvePath(path, "removeDir");
    await this.atPlace("removeDir", target, "entry", (at) => this.#run("removeDir", target, { opcode: this.uring.opcodes.UNLINKAT, fd: AT_FDCWD, aux: AT_REMOVEDIR, buffer: cPath(at) }));
  }
  override removeDirSync(path: string, options: RemoveDirOptions = {}): void {
    options = dirOptions(options, "removeDirSync");
    if (options.recursive === true || !this.uring.has(this.uring.opcodes.UNLINKAT)) return super.removeDirSync(path, options);
    const target = this.resolvePathSync(path, "removeDir");
    this.atPlaceSync("removeDir", target, "entry", (at) => this.#runSync("removeDir", target, { opcode: this.uring.opcodes.UNLINKAT, fd: AT_FDCWD, aux: AT_REMOVEDIR, buffer: cPath(at) }));
  }
}

export class UringDirHandle extends UringFs implements DirHandle {
  #closed = false;

  get path(): string {
    return (this.root as Root).path;
  }
  protected override resolvePath(path: string, op: string): Promise<string> {
    if (this.#closed) return Promise.reject(new IoError("Closed", `${op}: the directory handle is closed`, { op, backend: "uring" }));
    return super.resolvePath(path, op);
  }
  protected override resolvePathSync(path: string, op: string): string {
    if (this.#closed) throw new IoError("Closed", `${op}: the directory handle is closed`, { op, backend: "uring" });
    return super.resolvePathSync(path, op);
  }
  close(): Promise<void> {
    this.#closed = true;
    this.markClosed();
    return Promise.resolve();
  }
  closeSync(): void {
    this.#closed = true;
    this.markClosed();
  }
}

/** How a file opened with these options may be used. */
interface Access {
  readonly readable: boolean;
  readonly writable: boolean;
  readonly direct: boolean;
}

function accessOf(resolved: ResolvedOpenOptions): Access {
  return { readable: resolved.read, writable: resolved.write || resolved.append, direct: resolved.direct };
}

/** ENXIO from a write-only open: a FIFO without a reader, which the ring's non-blocking attempt does not wait for. */
function isFifoWithoutReader(error: unknown, access: { readable: boolean }): boolean {
  return !access.readable && (error as { code?: unknown }).code === "ENXIO";
}
