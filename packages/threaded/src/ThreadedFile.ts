/**
 * A file on the threaded backend: each view becomes ring entries that a worker performs with
 * `readSync`/`writeSync` at the view's position. A view over a SharedArrayBuffer is filled or
 * drained by the worker in place; any other view borrows a bounce slot, so it is first split
 * into slot-sized pieces (the pieces go to whichever workers are least loaded, in parallel).
 * The fd stays open until every operation of this file has completed.
 */
import { FileHandle, IoError, toIoError, type AnyView, type BoundPacketView, type FileStat, type Read, type Write } from "@pktio/core";
import { abortError, directAlignmentError, isStreamLikeFd, openPipeChannel, toIoErrorNamingPath, type PipeChannel } from "@pktio/core/backend";
import { BACKEND, errnoError, replyError } from "./internal/errors.js";
import { Request, type RequestOwner } from "./internal/Request.js";
import { FSYNC_DATA, Op } from "./internal/ringLayout.js";
import type { ThreadedBackend } from "./ThreadedBackend.js";

/** The errno of positional I/O on a FIFO or socket. */
const ESPIPE = 29;
const EINVAL = 22;


/** Linux transfers at most 0x7ffff000 bytes in one read or write call. */
export const MAX_SINGLE_IO = 0x7ffff000;

export class ThreadedFile extends FileHandle implements RequestOwner {
  readonly backend: ThreadedBackend;
  readonly fd: number;
  /** Operations of this file submitted and not settled; the fd is closed only at 0. */
  #pending = 0;
  #drained: (() => void) | undefined = undefined;
  #untrack: () => void;
  /** The rest of a bounced write, sent once its previous piece has been written in full. */
  readonly #nextPiece = new WeakMap<AnyView, { pos: number; rest: AnyView }>();

  /** Opened with O_DIRECT: an EINVAL from a transfer is explained (design.md §8). */
  readonly direct: boolean;
  /** A FIFO, socket or device: its transfers may block a worker, so they go to the stream ring. */
  readonly #stream: boolean;
  /**
   * A FIFO's transfers go through a libuv pipe on this thread, never a worker: a read nobody
   * answers would hold its worker for ever, and Node joins every worker before the process
   * exits (core's PipeChannel). It owns the fd.
   */
  readonly #pipe: PipeChannel | undefined;

  constructor(backend: ThreadedBackend, fd: number, path: string, access: { readable: boolean; writable: boolean; direct?: boolean }) {
    super(path, access);
    this.backend = backend;
    this.fd = fd;
    this.direct = access.direct === true;
    this.#stream = isStreamLikeFd(fd);
    this.#untrack = backend.track(this);
    this.#pipe = this.#stream ? openPipeChannel(fd, access, { backend: BACKEND, path }) : undefined;
  }

  /** A FIFO, socket or character device: an fd whose reads may wait for data for ever. */
  override get streamLike(): boolean {
    return this.#stream;
  }

  protected submit(pos: number, view: AnyView): void {
    if (view.length === 0) return view.complete();
    // Detached while an earlier piece of its write was in flight (or before): the view has no
    // bytes to hand over, and it fails alone (its bytes() would throw inside a completion).
    if (view.detached) return view.fail(this.#detached(view.perm.backendWrites));
    if (this.#pipe !== undefined) {
      // A sync call with options (the others take transferSync below): the pipe's transfers
      // wait in the event loop, which cannot run while the thread blocks.
      if (this.backend.inSyncScope) return view.fail(this.#pipeIsAsync(view.perm.backendWrites));
      this.#pending++;
      const done = (): void => this.#operationDone();
      if (view.perm.backendWrites) return this.#pipe.read(view as BoundPacketView<Write>, pos, done);
      return this.#pipe.write(view as BoundPacketView<Read>, done);
    }
    // A loop, not recursion: a 1 GiB view through 128 KiB bounce slots is 8192 pieces.
    const piece = view.packet.bytes.buffer instanceof SharedArrayBuffer ? MAX_SINGLE_IO : this.backend.bounceSlotSize;
    // The pieces of one write go one after another, so that nothing past a failed piece (ENOSPC)
    // reaches the disk: a failed write leaves a written prefix, never holes.
    if (view.perm.backendReads && view.length > piece) {
      const [head, tail] = view.splitAt(piece);
      this.#nextPiece.set(head, { pos: pos + piece, rest: tail });
      return this.#send(pos, head);
    }
    let rest = view;
    let at = pos;
    while (rest.length > piece) {
      const [head, tail] = rest.splitAt(piece);
      this.#send(at, head);
      at += piece;
      rest = tail;
    }
    this.#send(at, rest);
  }

  /**
   * The sync helpers' fast path: with nothing in flight, the blocking calls are made on this
   * thread (`directSync`), which the caller waits for anyway.
   */
  protected override transferSync(pos: number, bytes: Uint8Array, reading: boolean): number | undefined {
    if (this.#pipe !== undefined) throw this.#pipeIsAsync(reading);
    const result = this.backend.transferNow(this.fd, bytes, pos, reading);
    if (result === undefined) return undefined;
    const op = reading ? "read" : "write";
    const { done, thrown } = result;
    // A write that moved some bytes reports them; the caller's retry of the rest gets the error.
    if (!reading && done > 0 && done < bytes.byteLength) return done;
    if (thrown !== undefined) {
      if (this.direct && (thrown as NodeJS.ErrnoException).code === "EINVAL") throw directAlignmentError(this.path, op, pos + done, bytes.byteLength - done, BACKEND, thrown);
      // Node's readSync/writeSync name no path; it is added as on every backend (`, write '/x'`).
      throw toIoErrorNamingPath(thrown, { op, backend: BACKEND, path: this.path });
    }
    if (!reading && done < bytes.byteLength) throw new IoError("Other", `write at ${pos + done} of ${this.path} made no progress`, { op, backend: BACKEND, path: this.path });
    return done;
  }

  #send(pos: number, view: AnyView): void {
    this.#pending++;
    const request = new Request(view.perm.backendWrites ? Op.Read : Op.Write, this.fd, pos, view.length, view.bytes(), undefined, this, view);
    request.stream = this.#stream;
    this.backend.submit(request);
  }

  #detached(reading: boolean): IoError {
    const op = reading ? "read" : "write";
    return new IoError("InvalidInput", `the buffer was detached before the ${op} started (${op} of ${this.path}): a buffer belongs to the I/O system until the ${op} settles`, { op, backend: BACKEND, path: this.path });
  }

  #pipeIsAsync(reading: boolean): IoError {
    return new IoError("Unsupported", `${this.path} is a FIFO: on the threaded backend its transfers wait in the event loop and cannot block the thread; use the async API`, { op: reading ? "read" : "write", backend: BACKEND, path: this.path });
  }

  /** Called by the backend on the main thread when one of this file's transfers is settled. */
  requestDone(request: Request): void {
    const view = request.view as AnyView;
    if (request.op === Op.Read && request.errno === ESPIPE && request.lost === undefined && request.position !== -1) {
      // Positional read of a FIFO: a stream has one position, its own (-1: the current one).
      this.#send(-1, view);
      --this.#pending;
      return;
    }
    const whole = request.lost === undefined && request.errno === 0 && request.result === view.length;
    const next = this.#nextPiece.get(view);
    if (request.lost !== undefined) view.fail(request.lost);
    else if (request.op === Op.Read) this.#settleRead(view as BoundPacketView<Write>, request);
    else this.#settleWrite(view as BoundPacketView<Read>, request);
    if (next !== undefined) {
      const failure = request.lost ?? (request.errno !== 0 ? errnoError(request.errno, "write", this.path) : undefined);
      this.#continueWrite(next.pos, next.rest, whole, failure);
    }
    this.#operationDone();
  }

  #operationDone(): void {
    if (--this.#pending === 0 && this.#drained !== undefined) this.#drained();
  }

  /** Sends the rest of a bounced write after a whole piece; after a failed one, fails it unwritten. */
  #continueWrite(pos: number, rest: AnyView, previousWhole: boolean, failure: IoError | undefined): void {
    const signal = rest.packet.signal;
    if (!previousWhole) {
      // The rest fails with the earlier piece's kind (NoSpace, Closed, Aborted …): it is that failure's.
      const why = failure === undefined ? "" : ` (${failure.message})`;
      rest.fail(new IoError(failure?.kind ?? "Other", `write at ${pos} of ${this.path} was not attempted: an earlier piece of the same write failed${why}`, { op: "write", backend: BACKEND, path: this.path }));
    } else if (signal?.aborted === true) rest.fail(abortError(signal, "write", BACKEND));
    else this.submit(pos, rest);
  }

  /** A transfer's OS error; on a direct file, EINVAL is the alignment rule and says so. */
  #transferError(request: Request, op: string): IoError {
    if (this.direct && request.errno === EINVAL) return directAlignmentError(this.path, op, request.position + request.result, request.length - request.result, BACKEND);
    return errnoError(request.errno, op, this.path);
  }

  /** A short positional read of a regular file means the end of the file. */
  #settleRead(view: BoundPacketView<Write>, request: Request): void {
    const count = request.result;
    if (count === view.length) return view.complete();
    const error =
      request.errno !== 0
        ? this.#transferError(request, "read")
        : count === 0
          ? new IoError("UnexpectedEof", `read at ${request.position} is past the end of ${this.path}`, { op: "read", backend: BACKEND, path: this.path })
          : new IoError("UnexpectedEof", `read reaches past the end of ${this.path} at ${request.position + count}`, { op: "read", backend: BACKEND, path: this.path });
    settlePart(view, count, error);
  }

  /** The worker continued short writes already; a shortfall here is an error or no progress. */
  #settleWrite(view: BoundPacketView<Read>, request: Request): void {
    const count = request.result;
    if (count === view.length) return view.complete();
    const error =
      request.errno !== 0
        ? this.#transferError(request, "write")
        : new IoError("Other", `write at ${request.position + count} of ${this.path} made no progress`, { op: "write", backend: BACKEND, path: this.path });
    settlePart(view, count, error);
  }

  /**
   * A stat, sync or truncate sent to a worker counts as the file's operation: close() waits for
   * it before the fd is released, so it never lands on a file that reuses the number.
   */
  async #counted(perform: () => Promise<Request>): Promise<Request> {
    this.#pending++;
    try {
      return await perform();
    } finally {
      this.#operationDone();
    }
  }

  protected async statFile(): Promise<FileStat> {
    const fd = this.#fdFor("stat");
    return this.#stat(await this.#counted(() => this.backend.perform(Op.Meta, fd, 0, { op: "fstat", fd })));
  }
  protected statFileSync(): FileStat {
    const fd = this.#fdFor("stat");
    return this.#stat(this.backend.performSync(Op.Meta, fd, 0, { op: "fstat", fd }));
  }
  protected async syncFile(): Promise<void> {
    const fd = this.#fdFor("sync");
    this.#check(await this.#counted(() => this.backend.perform(Op.Fsync, fd, 0)), "sync");
  }
  protected syncFileSync(): void {
    this.#check(this.backend.performSync(Op.Fsync, this.#fdFor("sync"), 0), "sync");
  }
  // An Fsync entry's POSITION word says which call: FSYNC_DATA makes the worker call fdatasync.
  protected override async datasyncFile(): Promise<void> {
    const fd = this.#fdFor("datasync");
    this.#check(await this.#counted(() => this.backend.perform(Op.Fsync, fd, FSYNC_DATA)), "datasync");
  }
  protected override datasyncFileSync(): void {
    this.#check(this.backend.performSync(Op.Fsync, this.#fdFor("datasync"), FSYNC_DATA), "datasync");
  }
  protected async truncateFile(length: number): Promise<void> {
    const fd = this.#fdFor("truncate");
    this.#check(await this.#counted(() => this.backend.perform(Op.Truncate, fd, length)), "truncate");
  }
  protected truncateFileSync(length: number): void {
    this.#check(this.backend.performSync(Op.Truncate, this.#fdFor("truncate"), length), "truncate");
  }

  protected async closeFile(): Promise<void> {
    if (this.#pipe !== undefined) return this.#closePipe(this.#pipe);
    if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#untrack();
    this.#check(await this.backend.perform(Op.Close, this.fd, 0), "close");
  }

  /**
   * A FIFO's close: its transfers get closeTimeoutMs (a write sent before close() lands); then
   * the pipe settles what is left Closed and closes the fd. No worker is left inside a call.
   */
  async #closePipe(pipe: PipeChannel): Promise<void> {
    if (this.#pending > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = new Promise<void>((resolve) => (this.#drained = resolve));
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.backend.options.closeTimeoutMs)))]);
      clearTimeout(timer);
    }
    this.#untrack();
    await pipe.close(new IoError("Closed", `the file ${this.path} was closed while the operation waited on the FIFO (it did not complete within closeTimeoutMs)`, { op: "close", backend: BACKEND, path: this.path }));
    // stat, sync and truncate go to the workers: the fd number is free only once they are done.
    if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
  }

  protected closeFileSync(): void {
    if (this.#pipe !== undefined) {
      // Nothing of a FIFO can be waited for on this thread: what is in flight settles Closed now.
      this.#untrack();
      void this.#pipe.close(new IoError("Closed", `the file ${this.path} was closed (closeSync) while the operation waited on the FIFO`, { op: "close", backend: BACKEND, path: this.path }));
      return;
    }
    this.#untrack();
    if (this.#pending === 0) return this.#check(this.backend.performSync(Op.Close, this.fd, 0), "close");
    // Transfers are still in flight: the fd must outlive them, so the last one closes it. The
    // runtime's close() waits for this close as for any request.
    this.#drained = () => void this.backend.perform(Op.Close, this.fd, 0);
  }

  /** The fd for a call of its own (stat, sync, truncate); a FIFO whose pipe closed it (after an error, or at its end) has none. */
  #fdFor(op: string): number {
    if (this.#pipe?.gone === true) throw new IoError("Closed", `${op} of ${this.path}: the FIFO's pipe is closed (its fd went with it)`, { op, backend: BACKEND, path: this.path });
    return this.fd;
  }

  #check(request: Request, op: string): void {
    if (request.lost !== undefined) throw request.lost;
    if (request.errno !== 0) throw errnoError(request.errno, op, this.path);
  }

  #stat(request: Request): FileStat {
    if (request.lost !== undefined) throw request.lost;
    const reply = request.reply;
    if (reply === undefined) throw new IoError("Other", `stat: the worker sent no reply for ${JSON.stringify(this.path)}`, { op: "stat", backend: BACKEND, path: this.path });
    if (!reply.ok) throw replyError(reply, "stat", this.path);
    return reply.value as FileStat;
  }
}

/** Completes the first `count` bytes of a view and fails the rest with `error`. */
function settlePart(view: AnyView, count: number, error: IoError): void {
  if (count <= 0) return view.fail(error);
  const [head, tail] = view.splitAt(count);
  head.complete();
  tail.fail(error);
}
