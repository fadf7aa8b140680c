/**
 * A file on libuv: positional `fs.read`/`fs.write` callbacks on libuv's thread pool (measured
 * 2.6× faster than `fs.promises` here), blocking `readSync`/`writeSync` inside a sync scope.
 * The fd stays open until every operation of this file has completed.
 */
import { close, closeSync, fdatasync, fdatasyncSync, fstat, fstatSync, fsync, fsyncSync, ftruncate, ftruncateSync, read, write } from "node:fs";
import { FileHandle, IoError, type AnyView, type BoundPacketView, type FileStat, type Read, type Write } from "@pktio/core";
import { abortError, blockingTransfer, detachedError, directAlignmentError, isStreamLikeFd, openPipeChannel, settleRead, settleWrite, type PipeChannel } from "@pktio/core/backend";
import { libuvError } from "./internal/errors.js";
import { toFileStat } from "./internal/stat.js";
import type { LibuvBackend, LibuvPathSlots } from "./LibuvBackend.js";

/** Linux transfers at most 0x7ffff000 bytes in one read or write call. */
export const MAX_SINGLE_IO = 0x7ffff000;

export class LibuvFile extends FileHandle {
  readonly backend: LibuvBackend;
  readonly fd: number;
  /** Operations of this file queued or in flight; the fd is closed only at 0. */
  #pending = 0;
  #drained: (() => void) | undefined = undefined;
  #untrack: () => void;
  /** Set after the first ESPIPE: a FIFO or socket, read and written at its own position. */
  #stream = false;
  /** This file's own slots (design.md §8, slots per path). */
  readonly #slots: LibuvPathSlots;
  /**
   * Transfers queued or in flight whose caller has not been answered. A close that stops waiting
   * (closeGraceMs) answers them Closed and empties this set; what libuv completes later, or starts
   * from its queue, is then not settled again (and a queued one never starts).
   */
  readonly #live = new Set<AnyView>();

  /** Opened with O_DIRECT: an EINVAL from a transfer is explained (design.md §8). */
  readonly direct: boolean;
  /**
   * A FIFO's transfers go through a libuv pipe, never the thread pool: a read nobody answers
   * would hold a pool thread, and the process, for ever (core's PipeChannel). It owns the fd.
   */
  readonly #pipe: PipeChannel | undefined;
  readonly #streamLike: boolean;

  constructor(backend: LibuvBackend, fd: number, path: string, access: { readable: boolean; writable: boolean; direct?: boolean }) {
    super(path, access);
    this.backend = backend;
    this.fd = fd;
    this.direct = access.direct === true;
    this.#untrack = backend.track(this);
    this.#slots = backend.pathSlots();
    this.#streamLike = isStreamLikeFd(fd);
    this.#pipe = this.#streamLike ? openPipeChannel(fd, access, { backend: "libuv", path }) : undefined;
  }

  /** A FIFO, socket or character device (one fstat at open): a short read is not its end. */
  override get streamLike(): boolean {
    return this.#streamLike;
  }

  protected submit(pos: number, view: AnyView): void {
    if (this.#pipe !== undefined) return this.#submitPipe(pos, view);
    if (this.backend.inSyncScope) return this.#transferSync(pos, view);
    if (view.length > MAX_SINGLE_IO) {
      const [head, tail] = view.splitAt(MAX_SINGLE_IO);
      this.submit(pos, head);
      this.submit(pos + MAX_SINGLE_IO, tail);
      return;
    }
    this.#pending++;
    this.#live.add(view);
    this.backend.schedule((done, runtimeSlot) => this.#run(pos, view, done, runtimeSlot), this.#slots);
  }

  #submitPipe(pos: number, view: AnyView): void {
    const pipe = this.#pipe as PipeChannel;
    if (this.backend.inSyncScope) return view.fail(fifoSyncError(this.path, view.perm.backendWrites ? "read" : "write"));
    this.#pending++;
    const done = (): void => this.#operationDone();
    if (view.perm.backendWrites) pipe.read(view as BoundPacketView<Write>, pos, done);
    else pipe.write(view as BoundPacketView<Read>, done);
  }

  /** A FIFO whose pipe closed its fd (after an error, or at its end) has no fd for a call of its own (stat, sync, truncate). */
  #pipeGone(op: string): IoError | undefined {
    if (this.#pipe?.gone !== true) return undefined;
    return new IoError("Closed", `${op} of ${this.path}: the FIFO's pipe is closed (its fd went with it)`, { op, backend: "libuv", path: this.path });
  }

  /** One transfer, once it holds its slots; `done` releases them. */
  #run(pos: number, view: AnyView, done: () => void, runtimeSlot: boolean): void {
    const again = (): void => this.backend.schedule((next, slot) => this.#run(pos, view, next, slot), this.#slots);
    if (!this.#live.has(view)) {
      // Answered Closed by a close that stopped waiting before this piece started.
      done();
      return this.#operationDone();
    }
    // A piece still queued when its signal fired (abort or deadline) is dropped, not started.
    const signal = view.packet.signal;
    if (signal?.aborted === true) {
      done();
      this.#live.delete(view);
      view.fail(abortError(signal, view.perm.backendWrites ? "read" : "write", "libuv"));
      return this.#operationDone();
    }
    if (runtimeSlot && this.#stream) {
      // Queued while the file looked regular, but it is a FIFO: it must not block in a runtime slot.
      done();
      return again();
    }
    if (view.detached) {
      // Detached while it waited for its slots: nothing of it reaches the kernel.
      done();
      this.#live.delete(view);
      view.fail(detachedError(view.perm.backendWrites ? "read" : "write", "libuv", "before it was submitted"));
      return this.#operationDone();
    }
    const bytes = view.bytes();
    // The thread pool holds the memory it is given until the call returns, and a caller could
    // detach a plain ArrayBuffer meanwhile (its memory then freed: a read would write into it, a
    // write send what took its place). Such buffers move through the backend's own (BouncePool),
    // which no caller can reach: a read copies back at completion, a write copies now. SharedArrayBuffer views,
    // which cannot be detached, go as they are, and so do an O_DIRECT file's buffers: their
    // alignment is the caller's (JS cannot align memory of its own here), and so is keeping them.
    const shared = view.packet.shared || this.direct;
    const bounce = shared ? undefined : this.backend.bounce.take(bytes.byteLength);
    if (bounce !== undefined && !view.perm.backendWrites) bounce.set(bytes);
    const io = bounce ?? bytes;
    const positional = !this.#stream;
    const settle = (error: NodeJS.ErrnoException | null, count: number): void => {
      if (error?.code === "ESPIPE" && positional) {
        // Positional I/O on a FIFO: libuv's pread fails at once; a stream has one position, its
        // own. It may block for ever from now on: it goes again on the path's stream slots only.
        // Every attempt sent with a position retries (reads sent together before the first ESPIPE
        // all meet it; they used to fail ESPIPE).
        this.#stream = true;
        this.#slots.stream = true;
        done();
        if (bounce !== undefined) this.backend.bounce.release(bounce);
        return again();
      }
      done();
      // Node is done with the memory: a read's bytes are copied out below, before anything else runs.
      if (bounce !== undefined) this.backend.bounce.release(bounce);
      if (!this.#live.delete(view)) return this.#operationDone(); // a close answered it already
      if (error !== null) view.fail(this.#transferError(error, view.perm.backendWrites, pos, bytes.byteLength));
      else if (view.perm.backendWrites && !shared && count > 0 && view.detached) view.fail(detachedError("read", "libuv", "while the read was in flight"));
      else if (view.perm.backendWrites) {
        if (bounce !== undefined && count > 0) bytes.set(bounce.subarray(0, count));
        this.#settleRead(view as BoundPacketView<Write>, pos, count);
      }
      else this.#settleWrite(view as BoundPacketView<Read>, pos, count);
      this.#operationDone();
    };
    const at = positional ? pos : null;
    if (view.perm.backendWrites) read(this.fd, io, 0, bytes.byteLength, at, settle);
    else write(this.fd, io, 0, bytes.byteLength, at, settle);
  }

  #settleRead(view: BoundPacketView<Write>, pos: number, count: number): void {
    settleRead(view, pos, count, { backend: "libuv", path: this.path });
  }

  #settleWrite(view: BoundPacketView<Read>, pos: number, count: number): void {
    settleWrite(view, pos, count, { backend: "libuv", path: this.path }, (next, tail) => this.submit(next, tail));
  }

  #transferSync(pos: number, view: AnyView): void {
    const reading = view.perm.backendWrites;
    const [done, error] = this.#blocking(pos, view.bytes(), reading);
    if (error === undefined) return view.complete();
    if (done === 0) return view.fail(error);
    const [head, tail] = view.splitAt(done);
    head.complete();
    tail.fail(error);
  }

  /** The sync helpers' fast path (DirectSync): the same blocking calls, without a packet. */
  protected override transferSync(pos: number, bytes: Uint8Array, reading: boolean): number {
    if (this.#pipe !== undefined) throw fifoSyncError(this.path, reading ? "read" : "write");
    const [done, error] = this.#blocking(pos, bytes, reading);
    if (error === undefined || (reading && error.kind === "UnexpectedEof")) return done;
    // A write that moved some bytes returns the short count; writing the rest meets the error.
    if (!reading && done > 0) return done;
    throw error;
  }

  /** Blocking reads or writes until all of `bytes` moved: the count, and the error that stopped it short. */
  #blocking(pos: number, bytes: Uint8Array, reading: boolean): [number, IoError | undefined] {
    const { done, thrown } = blockingTransfer(this.fd, pos, bytes, reading);
    if (thrown !== undefined) return [done, this.#transferError(thrown as NodeJS.ErrnoException, reading, pos + done, bytes.byteLength - done)];
    if (done === bytes.byteLength) return [done, undefined];
    const message = reading ? `read reaches past the end of ${this.path} at ${pos + done}` : `write at ${pos + done} of ${this.path} made no progress`;
    return [done, new IoError(reading ? "UnexpectedEof" : "Other", message, { op: reading ? "read" : "write", backend: "libuv", path: this.path })];
  }

  /** A transfer's OS error; on a direct file, EINVAL is the alignment rule and says so. */
  #transferError(error: NodeJS.ErrnoException, reading: boolean, pos: number, length: number): IoError {
    const op = reading ? "read" : "write";
    if (this.direct && error.code === "EINVAL") return directAlignmentError(this.path, op, pos, length, "libuv", error);
    return libuvError(error, op, this.path);
  }

  #operationDone(): void {
    if (--this.#pending === 0 && this.#drained !== undefined) this.#drained();
  }

  #whenDrained(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#drained = resolve));
  }

  /** Counts a stat, sync or truncate in the file's operations: the fd outlives it (issue 11 item 3). */
  #counted<T>(op: string, call: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> {
    const gone = this.#pipeGone(op);
    if (gone !== undefined) return Promise.reject(gone);
    this.#pending++;
    return new Promise<T>(call).finally(() => this.#operationDone());
  }

  protected statFile(): Promise<FileStat> {
    return this.#counted("stat", (resolve, reject) =>
      fstat(this.fd, { bigint: true }, (error, stats) => (error === null ? resolve(toFileStat(stats)) : reject(libuvError(error, "stat", this.path)))),
    );
  }
  protected statFileSync(): FileStat {
    return this.#sync("stat", () => toFileStat(fstatSync(this.fd, { bigint: true })));
  }
  protected syncFile(): Promise<void> {
    return this.#counted("sync", (resolve, reject) => fsync(this.fd, (error) => (error === null ? resolve() : reject(libuvError(error, "sync", this.path)))));
  }
  protected syncFileSync(): void {
    this.#sync("sync", () => fsyncSync(this.fd));
  }
  protected override datasyncFile(): Promise<void> {
    return this.#counted("datasync", (resolve, reject) => fdatasync(this.fd, (error) => (error === null ? resolve() : reject(libuvError(error, "datasync", this.path)))));
  }
  protected override datasyncFileSync(): void {
    this.#sync("datasync", () => fdatasyncSync(this.fd));
  }
  protected truncateFile(length: number): Promise<void> {
    return this.#counted("truncate", (resolve, reject) => ftruncate(this.fd, length, (error) => (error === null ? resolve() : reject(libuvError(error, "truncate", this.path)))));
  }
  protected truncateFileSync(length: number): void {
    this.#sync("truncate", () => ftruncateSync(this.fd, length));
  }

  /**
   * Waits for the file's operations, at most the backend's closeGraceMs; past that (a read of a
   * FIFO nobody writes, a hung network file) their callers are answered Closed and the fd is
   * closed after the last of them completes: close() resolves in bounded time, and no I/O lands
   * on a reused fd.
   */
  protected async closeFile(): Promise<void> {
    if (this.#pipe !== undefined) return this.#closePipe(this.#pipe);
    if (!(await this.backend.within(this.#whenDrained()))) {
      this.#answerLive();
      this.#untrack();
      if (this.#pending > 0) {
        this.#drained = () => close(this.fd, () => undefined);
        return;
      }
    }
    this.#untrack();
    await new Promise<void>((resolve, reject) => close(this.fd, (error) => (error === null ? resolve() : reject(libuvError(error, "close", this.path)))));
  }

  /**
   * A FIFO's close: its transfers get the grace period too (a write sent before close() lands);
   * then the pipe settles what is left Closed and closes the fd. Nothing is left in a thread.
   */
  async #closePipe(pipe: PipeChannel): Promise<void> {
    await this.backend.within(this.#whenDrained());
    this.#untrack();
    await pipe.close(new IoError("Closed", `the file ${this.path} was closed while the operation waited on the FIFO (it did not complete within closeGraceMs)`, { op: "close", backend: "libuv", path: this.path }));
    // stat, sync and truncate are on the pool: the fd number is free only once they are done.
    await this.#whenDrained();
  }

  /** Answers every transfer not yet answered with kind Closed (a close stopped waiting for it). */
  #answerLive(): void {
    const error = new IoError("Closed", `the file ${this.path} was closed while the operation was in flight (it did not complete within closeGraceMs)`, { op: "close", backend: "libuv", path: this.path });
    const answered = [...this.#live];
    this.#live.clear();
    for (const view of answered) view.fail(error);
  }

  protected closeFileSync(): void {
    if (this.#pipe !== undefined) {
      // Nothing of a FIFO can be waited for on this thread: what is in flight settles Closed now.
      this.#untrack();
      void this.#pipe.close(new IoError("Closed", `the file ${this.path} was closed (closeSync) while the operation waited on the FIFO`, { op: "close", backend: "libuv", path: this.path }));
      return;
    }
    this.#untrack();
    if (this.#pending === 0) return this.#sync("close", () => closeSync(this.fd));
    // Operations are still in flight: the fd must outlive them, so it is closed by the last one.
    // Until then the runtime's close() waits for them too (bounded, as a file's close is).
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let forget = (): void => undefined;
    if (!this.backend.closed) {
      forget = this.backend.track({
        close: async () => {
          if (!(await this.backend.within(released))) this.#answerLive();
        },
      });
    }
    this.#drained = () =>
      close(this.fd, () => {
        forget();
        release();
      });
  }

  #sync<T>(op: string, call: () => T): T {
    const gone = this.#pipeGone(op);
    if (gone !== undefined) throw gone;
    try {
      return call();
    } catch (error) {
      throw libuvError(error, op, this.path);
    }
  }
}

function fifoSyncError(path: string, op: string): IoError {
  return new IoError("Unsupported", `${path} is a FIFO: on libuv its transfers wait in the event loop and cannot block the thread; use the async API`, { op, backend: "libuv", path });
}
