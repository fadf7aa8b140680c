/**
 * The files a property run works on, behind one interface: real files of a backend's runtimes
 * (opened, closed and reopened as the run says, the runtime itself closed and reopened), or the
 * targets of a subject that only makes targets (MemoryIo), where a store's close stands for both.
 */
import { mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileHandle, RandomAccess, Runtime } from "@pktio/core";
import type { Subject } from "../Subject.js";

/** One open target of a file; `closed` once the run closed it (or its runtime). */
export interface Handle {
  readonly target: RandomAccess;
  readonly file: number;
  /** Which runtime opened it (bumped by every runtime close). */
  readonly epoch: number;
  closed: boolean;
  /** The promise of its close, once closed asynchronously. */
  closing: Promise<void> | undefined;
}

export interface PropertyWorld {
  /** The target's truncate (ftruncate, or MemoryIo's), or undefined when the target has none. */
  truncate(handle: Handle, length: number, sync: boolean): Promise<void> | undefined;
  /** The current open handle of `file`, opening the file (and a runtime) when needed. */
  open(file: number, contents: () => Uint8Array): Promise<Handle>;
  /** The last handle of `file`, closed or not, without opening anything. */
  last(file: number): Handle | undefined;
  /** Starts closing `handle`; a sync close returns undefined. */
  close(handle: Handle, sync: boolean): Promise<void> | undefined;
  /** Closes the runtime (every open handle with it); undefined when there is none open. */
  closeRuntime(): Promise<void> | undefined;
  /** Opens `file` once more in the background and gives back what it resolves to, for races with closes. */
  /** Opens the runtime if none is open (a no-op where there is none to open). */
  ready(): Promise<void>;
  /** Starts one more open of `file` now, on the open runtime, for races with closes; undefined if none is open. */
  strayOpen(file: number): { readonly opening: Promise<Handle> } | undefined;
  /** The file's bytes as stored, read after every handle of it is closed; undefined if it never existed. */
  readBack(file: number): Uint8Array | undefined;
  /** The fds this process holds, as "fd -> target" lines; undefined where files are not fds. */
  fds(): Set<string> | undefined;
  /** Removes what the world made. */
  dispose(): void;
}

/** Files in a temp directory, served by runtimes of the subject. */
export class RuntimeWorld implements PropertyWorld {
  readonly #subject: Subject;
  readonly #dir: string;
  readonly #handles: (Handle | undefined)[] = [];
  #runtime: Runtime | undefined = undefined;
  #epoch = 0;

  constructor(subject: Subject, initial: readonly Uint8Array[]) {
    this.#subject = subject;
    this.#dir = mkdtempSync(join(tmpdir(), "pktio-property-"));
    initial.forEach((bytes, file) => writeFileSync(this.#path(file), bytes));
  }

  #path(file: number): string {
    return join(this.#dir, `file-${file}.bin`);
  }

  async #ensureRuntime(): Promise<Runtime> {
    if (this.#runtime === undefined) this.#runtime = await (this.#subject.openRuntime as () => Promise<Runtime> | Runtime)();
    return this.#runtime;
  }

  async open(file: number): Promise<Handle> {
    const current = this.#handles[file];
    if (current !== undefined && !current.closed) return current;
    const runtime = await this.#ensureRuntime();
    const target = await runtime.fs.open(this.#path(file), { read: true, write: true });
    const handle: Handle = { target, file, epoch: this.#epoch, closed: false, closing: undefined };
    this.#handles[file] = handle;
    return handle;
  }

  last(file: number): Handle | undefined {
    return this.#handles[file];
  }

  truncate(handle: Handle, length: number, sync: boolean): Promise<void> {
    const file = handle.target as FileHandle;
    if (sync) {
      file.truncateSync(length);
      return Promise.resolve();
    }
    return file.truncate(length);
  }

  close(handle: Handle, sync: boolean): Promise<void> | undefined {
    handle.closed = true;
    const file = handle.target as FileHandle;
    if (sync) {
      file.closeSync();
      return undefined;
    }
    handle.closing = file.close();
    return handle.closing;
  }

  closeRuntime(): Promise<void> | undefined {
    const runtime = this.#runtime;
    if (runtime === undefined) return undefined;
    this.#runtime = undefined;
    this.#epoch++;
    for (const handle of this.#handles) if (handle !== undefined) handle.closed = true;
    return runtime.close();
  }

  /** Resolves once the open is started (a runtime is opened first if none is), to the open itself. */
  async ready(): Promise<void> {
    await this.#ensureRuntime();
  }

  strayOpen(file: number): { readonly opening: Promise<Handle> } | undefined {
    const runtime = this.#runtime;
    if (runtime === undefined) return undefined;
    const epoch = this.#epoch;
    return { opening: runtime.fs.open(this.#path(file), { read: true }).then((target) => ({ target, file, epoch, closed: false, closing: undefined })) };
  }

  readBack(file: number): Uint8Array {
    return new Uint8Array(readFileSync(this.#path(file)));
  }

  fds(): Set<string> {
    return RuntimeWorld.openFds();
  }

  /** The fds this process holds now, as "fd -> target" lines. */
  static openFds(): Set<string> {
    const lines = new Set<string>();
    for (const fd of readdirSync("/proc/self/fd")) {
      try {
        lines.add(`${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`);
      } catch {
        // The fd readdir itself used, gone by now.
      }
    }
    return lines;
  }

  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** A store with its own lifecycle, as `MemoryIo` is: `close()` ends it, `snapshot()` shows it. */
interface ClosableStore {
  close(): Promise<void> | void;
  snapshot(): Uint8Array;
  truncate?(length: number): void;
}

/** Targets made by `subject.open`; closing a file closes its store and reopening makes a new one. */
export class TargetWorld implements PropertyWorld {
  readonly #subject: Subject;
  readonly #handles: (Handle | undefined)[] = [];
  /** Bytes of stores already closed, until a new store takes over. */
  readonly #closedBytes: (Uint8Array | undefined)[] = [];
  #epoch = 0;

  constructor(subject: Subject) {
    this.#subject = subject;
  }

  async open(file: number, contents: () => Uint8Array): Promise<Handle> {
    const current = this.#handles[file];
    if (current !== undefined && !current.closed) return current;
    const target = await (this.#subject.open as (initial: Uint8Array) => Promise<RandomAccess> | RandomAccess)(contents());
    storeOf(target);
    const handle: Handle = { target, file, epoch: this.#epoch, closed: false, closing: undefined };
    this.#handles[file] = handle;
    return handle;
  }

  last(file: number): Handle | undefined {
    return this.#handles[file];
  }

  truncate(handle: Handle, length: number): Promise<void> | undefined {
    const store = storeOf(handle.target);
    if (store.truncate === undefined) return undefined;
    store.truncate(length);
    return Promise.resolve();
  }

  close(handle: Handle, sync: boolean): Promise<void> | undefined {
    handle.closed = true;
    const store = storeOf(handle.target);
    const closing = Promise.resolve(store.close()).then(() => {
      this.#closedBytes[handle.file] = store.snapshot();
      return this.#subject.release?.(handle.target);
    });
    handle.closing = closing;
    return sync ? undefined : closing;
  }

  closeRuntime(): Promise<void> | undefined {
    this.#epoch++;
    const closing = this.#handles.filter((handle) => handle !== undefined && !handle.closed).map((handle) => this.close(handle as Handle, false));
    return Promise.all(closing).then(() => undefined);
  }

  async ready(): Promise<void> {}

  strayOpen(): undefined {
    return undefined;
  }

  readBack(file: number): Uint8Array | undefined {
    const handle = this.#handles[file];
    if (handle !== undefined && !handle.closed) return storeOf(handle.target).snapshot();
    return this.#closedBytes[file];
  }

  fds(): undefined {
    return undefined;
  }

  dispose(): void {}
}

function storeOf(target: RandomAccess): ClosableStore {
  const store = target as Partial<ClosableStore>;
  if (typeof store.close !== "function" || typeof store.snapshot !== "function") {
    throw new Error("the property test needs targets with close() and snapshot() (as MemoryIo has) when the subject gives no openRuntime");
  }
  return store as ClosableStore;
}
