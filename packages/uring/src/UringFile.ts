/**
 * A file on io_uring: READ/WRITE (READ_FIXED/WRITE_FIXED for packets over the registered pool),
 * FSYNC, STATX and CLOSE through the ring. The fd stays open until every operation of this file
 * has completed; `*Sync` helpers block in io_uring_enter through the backend's `blockOn`.
 */
import { ftruncate, ftruncateSync } from "node:fs";
import { FileHandle, IoError, toIoError, type AnyView, type BoundPacketView, type FileStat, type Read, type Write } from "@pktio/core";
import { abortError, ChunkQueue, Fifo, fromErrno, isStreamLikeFd, promiseOf, Settler, settleRead, settleWrite, toIoErrorNamingPath } from "@pktio/core/backend";
import { AT_EMPTY_PATH, parseStatx, STATX_MASK, STATX_SIZE } from "./internal/statx.js";
import { MAX_BOUNCE, SLOT } from "./internal/BounceArena.js";
import { ABANDONED, CLOSED, DETACHED, READ_HERE, ringError, type Abortable, type Cancellable, type Operation, type Ticket, type UringBackend, type UringPathSlots } from "./UringBackend.js";

/** Linux transfers at most 0x7ffff000 bytes in one read or write. */
export const MAX_SINGLE_IO = 0x7ffff000;
/** O_DIRECT's alignment for buffers, positions and lengths (the logical block size of common devices). */
export const DIRECT_ALIGNMENT = 512;
const EMPTY_PATH = new Uint8Array(1);
/** IORING_FSYNC_DATASYNC: an FSYNC that is fdatasync. */
const FSYNC_DATASYNC = 1;

export class UringFile extends FileHandle {
  readonly backend: UringBackend;
  readonly fd: number;
  /** Operations of this file in the ring or queued for it; the fd is closed only at 0. */
  #pending = 0;
  /** Transfers waiting for bounce memory (BounceArena.ready), in #pending too. */
  readonly #waiting = new Set<Waiting>();
  #drained: (() => void) | undefined = undefined;
  readonly #untrack: () => void;
  readonly #context: { backend: string; path: string };

  /** Opened with O_DIRECT: transfers bypass the page cache and must be aligned. */
  readonly direct: boolean;
  /** @internal This file's own slots (design.md §8, slots per path): its transfers wait here beyond the limit. */
  readonly slots: UringPathSlots;
  /**
   * A stream-like file's transfers in order, per direction ([reads, writes]): one packet at a
   * time in the kernel, its pieces and rests included. A pipe keeps only writes of at most
   * PIPE_BUF bytes whole, so two writes in flight could interleave, and two reads could take
   * each other's bytes. Undefined for a regular file (positional transfers need no order).
   */
  readonly #order: [StreamOrder, StreamOrder] | undefined;
  /**
   * A stream-like file's bytes that a read took from the kernel after its buffer was detached:
   * they belong to the next reads, first (a FIFO cannot give them again). Undefined for a
   * regular file, whose bytes a later read can always ask for.
   */
  readonly #carry: ChunkQueue | undefined;

  constructor(backend: UringBackend, fd: number, path: string, access: { readable: boolean; writable: boolean; direct?: boolean }) {
    super(path, access);
    this.direct = access.direct === true;
    this.backend = backend;
    this.fd = fd;
    this.#context = { backend: "uring", path };
    this.slots = backend.pathSlots();
    // A FIFO, socket or character device: a read may wait for ever (io_uring parks it in the
    // kernel without a thread, but it holds its record), so its transfers take stream slots.
    this.slots.stream = isStreamLikeFd(fd);
    this.#order = this.slots.stream ? [new StreamOrder(), new StreamOrder()] : undefined;
    this.#carry = this.slots.stream ? new ChunkQueue() : undefined;
    this.#untrack = backend.track(this);
  }

  /** A FIFO, socket or character device (one fstat at open; a failed one counts as a regular file). */
  override get streamLike(): boolean {
    return this.slots.stream;
  }

  protected submit(pos: number, view: AnyView): void {
    const orders = this.#order;
    if (orders === undefined) return this.#submitNow(pos, view);
    const order = orders[view.perm.backendWrites ? 0 : 1];
    if (order.packet !== undefined && order.packet !== view.packet) {
      // Another packet of this direction is in the kernel: this one waits its turn. It counts as
      // pending, so close() lets it go within the grace period, as a transfer in flight.
      this.#pending++;
      order.queue.push({ pos, view });
      return;
    }
    // The first piece of a packet, or one of its pieces or rests (which go ahead of the queue).
    order.packet = view.packet;
    this.#submitNow(pos, view);
    if (order.active === 0) this.#nextInOrder(order);
  }

  /** A stream-like file's piece of `order` is done: the next packet starts once none is left. */
  #stepDone(order: StreamOrder): void {
    if (--order.active === 0) this.#nextInOrder(order);
  }

  /** Starts the oldest waiting packet of `order` while none is in the kernel. */
  #nextInOrder(order: StreamOrder): void {
    order.packet = undefined;
    for (let queued = order.queue.shift(); queued !== undefined; queued = order.queue.shift()) {
      order.packet = queued.view.packet;
      this.#submitNow(queued.pos, queued.view);
      // After the start, which counted it again: #pending never passes 0 in between.
      this.operationDone();
      if (order.active > 0) return;
      order.packet = undefined;
    }
  }

  /** The order a transfer of `view` belongs to, on a stream-like file. */
  #orderOf(view: AnyView): StreamOrder | undefined {
    return this.#order?.[view.perm.backendWrites ? 0 : 1];
  }

  #submitNow(pos: number, view: AnyView): void {
    const reading = view.perm.backendWrites;
    const carry = this.#carry;
    if (reading && carry !== undefined && carry.bytes > 0 && view.length > 0 && !view.detached) {
      // Bytes an earlier read took after its buffer was detached come first, as a short read.
      return settleRead(view as BoundPacketView<Write>, pos, carry.take(view.bytes()), this.#context);
    }
    const packet = view.packet;
    // A detached buffer reads as empty: say so instead of handing the kernel a null pointer.
    if (packet.bytes.byteLength !== packet.length) return view.fail(detachedError(reading, this.path, "before it was submitted"));
    const bytes = view.bytes();
    const ops = this.backend.opcodes;
    const poolIndex = this.backend.pool?.indexOf(bytes) ?? -1;
    // Buffers that can be detached move through the backend's bounce memory (internal/BounceArena.ts).
    const bounced = poolIndex < 0 && bytes.byteLength > 0 && !packet.shared;
    const limit = bounced ? MAX_BOUNCE : MAX_SINGLE_IO;
    if (view.length > limit) {
      const [head, tail] = view.splitAt(limit);
      // Bounced pieces go one after another (the memory one transfer holds stays bounded).
      if (bounced) this.#start(pos, head, reading, true, { pos: pos + limit, view: tail });
      else {
        this.submit(pos, head);
        this.submit(pos + limit, tail);
      }
      return;
    }
    if (this.direct && !this.#alignedForDirect(pos, bytes)) {
      return view.fail(
        new IoError("InvalidInput", `${this.path} is open with direct: the buffer's address, the position (${pos}) and the length (${bytes.byteLength}) must be multiples of ${DIRECT_ALIGNMENT}; take buffers from the registered pool (rt.io.pool)`, {
          op: reading ? "read" : "write",
          backend: "uring",
          path: this.path,
        }),
      );
    }
    if (poolIndex >= 0) this.#begin(pos, view, reading ? ops.READ_FIXED : ops.WRITE_FIXED, bytes, poolIndex, undefined, undefined);
    else this.#start(pos, view, reading, bounced, undefined);
  }

  /** A READ or WRITE of a view no larger than one bounce buffer (when bounced). */
  #start(pos: number, view: AnyView, reading: boolean, bounced: boolean, next: Continuation | undefined): void {
    const bytes = view.bytes();
    const ops = this.backend.opcodes;
    if (!bounced) return this.#begin(pos, view, reading ? ops.READ : ops.WRITE, bytes, 0, undefined, next);
    // One slot is always ready: no resume closure for the common small transfer.
    if (bytes.byteLength > SLOT) {
      const waiting: Waiting = { pos, view, reading, next, settled: false, abort: () => this.#dropWaiting(waiting) };
      if (!this.backend.bounce.ready(bytes.byteLength, () => this.#resume(waiting))) {
        // Waiting for bounce memory counts as in flight: the fd stays open for it, and close()
        // lets it start (a write sent before close() lands) until the close cancels; an abort
        // settles it at once.
        this.#pending++;
        const order = this.#orderOf(view);
        if (order !== undefined) order.active++;
        this.#waiting.add(waiting);
        if (view.packet.signal !== undefined) this.backend.watch(view.packet.signal, waiting);
        return;
      }
    }
    // A read of one slot takes it when it gets into the ring (Transfer.prepare): thousands of reads
    // queued behind maxInFlight or the file's limit would otherwise each hold a slot, and past
    // the arena's bound each allocate one (16384 reads in flight: 123k reads/s, 2026-12-03).
    if (reading && bytes.byteLength <= SLOT) return this.#begin(pos, view, ops.READ, undefined, 0, bytes, next);
    const bounce = this.backend.bounce.take(bytes.byteLength);
    // Writes copy at submission: what the caller does to its buffer afterwards cannot reach the kernel.
    if (!reading) bounce.set(bytes);
    this.#begin(pos, view, reading ? ops.READ : ops.WRITE, bounce, 0, bytes, next);
  }

  /**
   * A transfer that waited for bounce memory starts, unless a close cancelled it meanwhile
   * (#cancelWaiting settled it then) or its buffer was detached while it waited.
   */
  #resume(waiting: Waiting): void {
    if (waiting.settled) return;
    this.#waiting.delete(waiting);
    const { pos, view, reading, next } = waiting;
    const order = this.#orderOf(view);
    if (view.packet.signal !== undefined) this.backend.unwatch(view.packet.signal, waiting);
    // The runtime's close cancels everything in flight (design.md §4): this one never started.
    if (this.backend.closed) return this.#dropWaiting(waiting);
    if (view.packet.bytes.byteLength !== view.packet.length) {
      const error = detachedError(reading, this.path, "before it was submitted");
      view.fail(error);
      next?.view.fail(error);
    } else {
      const bounce = this.backend.bounce.take(view.length);
      if (!reading) bounce.set(view.bytes());
      this.#begin(pos, view, reading ? this.backend.opcodes.READ : this.backend.opcodes.WRITE, bounce, 0, view.bytes(), next);
    }
    // The wait is over (the transfer, if it started, counts on its own).
    if (order !== undefined) this.#stepDone(order);
    this.operationDone();
  }

  /**
   * The close's grace period is over: transfers still waiting for bounce memory never reached
   * the kernel, so they settle now with kind Closed (the arena's later resume finds them settled).
   */
  #cancelWaiting(): void {
    for (const waiting of [...this.#waiting]) this.#dropWaiting(waiting);
    // A stream-like file's packets still waiting their turn never reached the kernel either.
    for (const order of this.#order ?? []) {
      for (let queued = order.queue.shift(); queued !== undefined; queued = order.queue.shift()) {
        const op = queued.view.perm.backendWrites ? "read" : "write";
        queued.view.fail(new IoError("Closed", `${op} of ${this.path} was cancelled: the ${this.backend.closed ? "runtime" : "file"} was closed before it started`, { op, backend: "uring", path: this.path }));
        this.operationDone();
      }
    }
  }

  /** Settles a transfer that waited for bounce memory: Closed, or the abort's error when its signal fired. */
  #dropWaiting(waiting: Waiting): void {
    if (waiting.settled) return;
    waiting.settled = true;
    this.#waiting.delete(waiting);
    const op = waiting.reading ? "read" : "write";
    const signal = waiting.view.packet.signal;
    if (signal !== undefined) this.backend.unwatch(signal, waiting);
    const error =
      signal?.aborted === true
        ? abortError(signal, op, "uring")
        : new IoError("Closed", `${op} of ${this.path} at ${waiting.pos} was cancelled: the ${this.backend.closed ? "runtime" : "file"} was closed before it started`, { op, backend: "uring", path: this.path });
    waiting.view.fail(error);
    waiting.next?.view.fail(error);
    const order = this.#orderOf(waiting.view);
    if (order !== undefined) this.#stepDone(order);
    this.operationDone();
  }

  #begin(pos: number, view: AnyView, opcode: number, buffer: Uint8Array | undefined, aux: number, target: Uint8Array | undefined, next: Continuation | undefined): void {
    const { signal, timeoutMs } = view.packet;
    if (signal?.aborted === true) {
      // A continuation piece (a bounced transfer's next piece, a short write's rest) after the abort.
      const error = abortError(signal, opcode === this.backend.opcodes.READ || opcode === this.backend.opcodes.READ_FIXED ? "read" : "write", "uring");
      view.fail(error);
      next?.view.fail(error);
      return;
    }
    this.#pending++;
    const order = this.#orderOf(view);
    if (order !== undefined) order.active++;
    const transfer = new Transfer(this, view, pos, opcode, buffer, view.length, aux, timeoutMs, target, next);
    if (signal !== undefined) this.backend.watch(signal, transfer);
    this.backend.submit(transfer, transfer);
  }

  /** @internal A transfer's completion (see Transfer): settles its view, or fails it with the reason. */
  finishTransfer(transfer: Transfer, result: number): void {
    const order = this.#orderOf(transfer.view);
    if (order === undefined) return this.#finishTransfer(transfer, result);
    // Its rest or next piece (started in there) counts before this one stops counting.
    try {
      this.#finishTransfer(transfer, result);
    } finally {
      this.#stepDone(order);
    }
  }

  #finishTransfer(transfer: Transfer, result: number): void {
    const { view, offset: pos, timeoutMs, target, next } = transfer;
    const signal = view.packet.signal;
    if (signal !== undefined) this.backend.unwatch(signal, transfer);
    const reading = view.perm.backendWrites;
    if (result === ABANDONED) {
      // A close stopped waiting: the caller is settled now; the bounce buffer and the fd stay
      // with this transfer until the kernel completes it (late).
      const error = this.#transferError(result, reading, pos, signal, timeoutMs);
      view.fail(error);
      next?.view.fail(error);
      return;
    }
    const bounce = transfer.buffer;
    // A bounced read cancelled while it waited never took its slot.
    if (target !== undefined && bounce !== undefined) result = this.#unbounce(bounce, target, transfer.length, result, reading);
    if (result >= 0) {
      if (reading && result > 0 && result < transfer.length && !this.slots.stream && (signal?.aborted === true || timeoutMs !== undefined)) {
        // A read that was cancelled (or linked to a timeout) may stop short inside the file: its
        // rest goes again, where the abort or a fresh deadline decides, or a read of 0 says EOF.
        // Not on a FIFO or device: a short read is its answer (what had arrived), and the rest
        // sent again waited out the deadline and failed TimedOut with those bytes taken.
        const [head, tail] = view.splitAt(result);
        head.complete();
        if (next === undefined || target === undefined) this.submit(pos + result, tail);
        else this.#start(pos + result, tail, true, true, next);
        return this.operationDone();
      }
      if (reading) settleRead(view as BoundPacketView<Write>, pos, result, this.#context);
      else {
        // A short write's rest goes again, carrying the pieces after it.
        const resubmit = next === undefined || target === undefined ? (at: number, tail: AnyView) => this.submit(at, tail) : (at: number, tail: AnyView) => this.#start(at, tail, false, true, next);
        settleWrite(view as BoundPacketView<Read>, pos, result, this.#context, resubmit);
        if (next !== undefined && result > 0 && result < transfer.length) return this.operationDone();
      }
      if (next !== undefined) {
        // The next piece of a bounced transfer starts once this one moved in full.
        if (result === transfer.length) this.submit(next.pos, next.view);
        else next.view.fail(new IoError(reading ? "UnexpectedEof" : "Other", `${reading ? "read" : "write"} of ${this.path} stopped at ${pos + result}`, { op: reading ? "read" : "write", backend: "uring", path: this.path }));
      }
      return this.operationDone();
    }
    const error = this.#transferError(result, reading, pos, signal, timeoutMs);
    view.fail(error);
    next?.view.fail(error);
    this.operationDone();
  }

  #transferError(result: number, reading: boolean, pos: number, signal: AbortSignal | undefined, timeoutMs: number | undefined): IoError {
    const op = reading ? "read" : "write";
    if (result === DETACHED) return detachedError(reading, this.path, "while the read was in flight");
    if (result === CLOSED || result === ABANDONED || ((result === -125 || result === -4) && (this.closed || this.backend.closed))) return new IoError("Closed", `${op} of ${this.path} at ${pos} was cancelled: the ${this.backend.closed ? "runtime" : "file"} was closed`, { op, backend: "uring", path: this.path });
    if (result === -125 && signal?.aborted === true) return abortError(signal, op, "uring");
    if (result === -125 && timeoutMs !== undefined) return new IoError("TimedOut", `${op} of ${this.path} at ${pos} took longer than ${timeoutMs} ms`, { op, backend: "uring", path: this.path });
    return ringError(result, { op, path: this.path });
  }

  /**
   * `readAt` without a packet (FileHandle.readDirect): a buffered read of a regular file of at
   * most one bounce slot, the bench's and a database's read. The same ring operation as a
   * Transfer's (READ_HERE; bounced unless `dst` is shared), with one object per read instead of
   * a packet, a view, an output and a transfer. Pool slices (READ_FIXED), O_DIRECT, stream-like
   * files and larger reads keep the packet path.
   */
  protected override readDirect(pos: number, dst: Uint8Array, shared: boolean): Promise<number> | undefined {
    if (this.direct || this.slots.stream || dst.byteLength > SLOT) return undefined;
    if (this.backend.pool !== undefined && this.backend.pool.indexOf(dst) >= 0) return undefined;
    const read = new DirectRead(this, pos, dst, shared);
    const done = promiseOf(read);
    this.#pending++;
    this.backend.submit(read, read);
    return done;
  }

  /** @internal A DirectRead's completion: copies out of its bounce slot and settles as settleRead would for readAt. */
  finishDirectRead(read: DirectRead, result: number): void {
    const pos = read.offset;
    // A close stopped waiting: the caller is settled now; the slot and the fd stay with the read until the kernel lets go (late).
    if (result === ABANDONED) return read.reject(this.#transferError(result, true, pos, undefined, undefined));
    const bounce = read.buffer;
    // A read cancelled while it waited for a ring slot never took its bounce slot.
    if (read.bounced && bounce !== undefined) result = this.#unbounce(bounce, read.target, read.length, result, true);
    if (result >= 0) read.resolve(result);
    else read.reject(this.#transferError(result, true, pos, undefined, undefined));
    this.operationDone();
  }

  /**
   * The kernel is done with a bounce buffer: a read's bytes are copied into `target`, then the
   * buffer goes back to the arena. Returns the result, or DETACHED when `target` was detached
   * meanwhile (a FIFO's bytes then stay for the next read: they cannot be read again).
   */
  #unbounce(bounce: Uint8Array, target: Uint8Array, length: number, result: number, reading: boolean): number {
    if (result > 0 && reading) {
      if (target.byteLength !== length) {
        this.#carry?.push(bounce.slice(0, result));
        result = DETACHED;
      } else target.set(result === bounce.byteLength ? bounce : bounce.subarray(0, result));
    }
    this.backend.bounce.release(bounce);
    return result;
  }

  /** @internal The completion of a DirectRead abandoned at a close: the kernel let go of its slot. */
  lateDirectRead(read: DirectRead): void {
    if (read.bounced && read.buffer !== undefined) this.backend.bounce.release(read.buffer);
    this.operationDone();
  }

  /** @internal The completion of a transfer that was abandoned at a close: the kernel let go. */
  lateTransfer(transfer: Transfer): void {
    if (transfer.target !== undefined && transfer.buffer !== undefined) this.backend.bounce.release(transfer.buffer);
    this.operationDone();
  }

  /**
   * The sync helpers' fast path: one pread/pwrite on this thread while the ring is idle
   * (`directSync`, design.md §9). An O_DIRECT transfer that is not aligned takes the packet
   * path, which explains the rule.
   */
  protected override transferSync(pos: number, bytes: Uint8Array, reading: boolean): number | undefined {
    // A FIFO has no positions (pread fails ESPIPE): the packet path reads it at its own, in the ring.
    if (this.slots.stream) return undefined;
    if (this.direct && !this.#alignedForDirect(pos, bytes)) return undefined;
    const result = this.backend.transferNow(this.fd, bytes, pos, !reading);
    if (result === undefined || (result >= 0 && (reading || result === bytes.byteLength))) return result;
    const op = reading ? "read" : "write";
    // The addon's transfer loses the count of a write that ran out of space part way; the packet
    // path repeats the (positional, idempotent) write and reports what it wrote (design.md §7).
    if (!reading && (result === -28 || result === -27 || result === -122)) return undefined;
    if (result < 0) throw ringError(result, { op, path: this.path });
    throw new IoError("Other", `write at ${pos + result} of ${this.path} made no progress`, { op, backend: "uring", path: this.path });
  }

  /** Pool slices start page-aligned, but a subarray of one need not: the address is always checked. */
  #alignedForDirect(pos: number, bytes: Uint8Array): boolean {
    if (pos % DIRECT_ALIGNMENT !== 0 || bytes.byteLength % DIRECT_ALIGNMENT !== 0) return false;
    return this.backend.isAligned(bytes, DIRECT_ALIGNMENT);
  }

  /** @internal One operation of this file completed; the fd may close at 0. */
  operationDone(): void {
    if (--this.#pending === 0 && this.#drained !== undefined) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }

  #whenDrained(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#drained = resolve));
  }

  /** One ring operation on this file's fd, as a promise of its result. */
  #run(op: string, operation: Operation): Promise<number> {
    this.#pending++;
    return new Promise((resolve, reject) => this.backend.submit(operation, new FileOperation(this, op, resolve, reject)));
  }

  /** The same, blocking: submitted and awaited on this thread. */
  #runSync(op: string, operation: Parameters<UringBackend["submit"]>[0]): number {
    let result: number | undefined;
    this.#pending++;
    this.backend.submit(operation, (value) => {
      this.operationDone();
      result = value;
    });
    this.backend.blockOn(() => result !== undefined);
    if ((result as number) < 0) throw ringError(result as number, { op, path: this.path });
    return result as number;
  }

  #statOperation(buffer: Uint8Array): Parameters<UringBackend["submit"]>[0] {
    return { opcode: this.backend.opcodes.STATX, fd: this.fd, aux: AT_EMPTY_PATH, aux2: STATX_MASK, buffer: EMPTY_PATH, buffer2: buffer };
  }

  protected async statFile(): Promise<FileStat> {
    const buffer = new Uint8Array(STATX_SIZE);
    await this.#run("stat", this.#statOperation(buffer));
    return parseStatx(buffer);
  }
  protected statFileSync(): FileStat {
    const buffer = new Uint8Array(STATX_SIZE);
    this.#runSync("stat", this.#statOperation(buffer));
    return parseStatx(buffer);
  }
  protected async syncFile(): Promise<void> {
    await this.#run("sync", { opcode: this.backend.opcodes.FSYNC, fd: this.fd });
  }
  protected syncFileSync(): void {
    this.#runSync("sync", { opcode: this.backend.opcodes.FSYNC, fd: this.fd });
  }
  // FSYNC's aux is its fsync_flags word: IORING_FSYNC_DATASYNC (1) makes it fdatasync.
  protected override async datasyncFile(): Promise<void> {
    await this.#run("datasync", { opcode: this.backend.opcodes.FSYNC, fd: this.fd, aux: FSYNC_DATASYNC });
  }
  protected override datasyncFileSync(): void {
    this.#runSync("datasync", { opcode: this.backend.opcodes.FSYNC, fd: this.fd, aux: FSYNC_DATASYNC });
  }
  // io_uring has no ftruncate before Linux 6.9: this one operation takes the libuv path. It is
  // counted like any other operation of the file (and holds the ring, which tracks the fd), so
  // the fd is not released while libuv's pool still has to use it.
  protected truncateFile(length: number): Promise<void> {
    this.#pending++;
    this.backend.hold();
    return new Promise((resolve, reject) =>
      ftruncate(this.fd, length, (error) => {
        this.operationDone();
        this.backend.release();
        if (error === null) resolve();
        else reject(this.#truncateError(error));
      }),
    );
  }
  protected truncateFileSync(length: number): void {
    try {
      ftruncateSync(this.fd, length);
    } catch (error) {
      throw this.#truncateError(error);
    }
  }

  /** Node's ftruncate error names no path; it is added as on every backend (`, ftruncate '/x'`). */
  #truncateError(error: unknown): IoError {
    return toIoErrorNamingPath(error, { op: "truncate", backend: "uring", path: this.path });
  }

  /**
   * Lets this file's operations in flight finish (a write sent before close() lands, as on every
   * backend), for at most the backend's closeGraceMs; then cancels what is left (design.md §4),
   * waits as long again for the kernel to let go, and closes the fd. Operations still held then
   * are abandoned: their callers are settled with kind Closed, and the fd closes at their completion.
   */
  protected async closeFile(): Promise<void> {
    this.#untrack();
    if (this.#pending > 0 && !(await this.backend.within(this.#whenDrained()))) {
      this.#cancelWaiting();
      this.backend.cancelFd(this.fd);
      if (!(await this.backend.within(this.#whenDrained()))) {
        this.backend.abandon(this.fd);
        if (this.#pending > 0) {
          this.#drained = () => this.#closeLater();
          return;
        }
      }
    }
    if (this.backend.has(this.backend.opcodes.CLOSE)) await this.#run("close", { opcode: this.backend.opcodes.CLOSE, fd: this.fd });
    else this.backend.closeFdNow(this.fd);
  }

  protected closeFileSync(): void {
    this.#untrack();
    if (this.#pending === 0) {
      if (this.backend.has(this.backend.opcodes.CLOSE)) this.#runSync("close", { opcode: this.backend.opcodes.CLOSE, fd: this.fd });
      else this.backend.closeFdNow(this.fd);
      return;
    }
    // Operations are still in flight: the fd must outlive them, so the last one closes it.
    this.#drained = () => this.#closeLater();
    // A FIFO's may never complete (a read nobody writes to): they are cancelled now and settle
    // Closed, as libuv and threaded settle a FIFO's at closeSync. A regular file's finish.
    if (this.slots.stream) {
      this.#cancelWaiting();
      this.backend.cancelFd(this.fd);
    }
  }

  /** Closes the fd after the last operation, without a caller to report to. */
  #closeLater(): void {
    if (this.backend.has(this.backend.opcodes.CLOSE)) this.backend.submit({ opcode: this.backend.opcodes.CLOSE, fd: this.fd }, () => undefined);
    else this.backend.closeFdNow(this.fd);
  }
}

/** A stat, sync or close of a file through the ring: settles its promise and counts the file's operation done. */
class FileOperation implements Cancellable {
  ticket: Ticket | undefined = undefined;
  constructor(
    readonly file: UringFile,
    readonly op: string,
    readonly resolve: (result: number) => void,
    readonly reject: (error: IoError) => void,
  ) {}

  complete(result: number): void {
    // An abandoned operation still holds the fd: the file counts it done when it completes (late).
    if (result !== ABANDONED) this.file.operationDone();
    if (result === -125 && this.file.closed) this.reject(ringError(CLOSED, { op: this.op, path: this.file.path }));
    else if (result < 0) this.reject(ringError(result, { op: this.op, path: this.file.path }));
    else this.resolve(result);
  }

  late(): void {
    this.file.operationDone();
  }
}

/**
 * One read or write in the ring: the backend's operation record and its completion in one object
 * (a closure, its context and a record per transfer were a third of the allocations of a cached
 * read; at 16384 in flight the garbage collector took 30 % of the thread).
 */
class Transfer implements Operation, Cancellable {
  readonly fd: number;
  readonly eager: boolean;
  readonly path: UringPathSlots;
  /** The backend's bookkeeping for cancelling it (see UringBackend.cancel). */
  ticket: Ticket | undefined = undefined;
  /** `buffer` as a bounce-arena locator when it is a registered slot, else 0 (see Operation.locator). */
  locator: number;
  /** READ_HERE for a regular file's buffered read, READ_FIXED too (the addon may serve it from the page cache on the JS thread), else 0. */
  readonly aux2: number;
  constructor(
    readonly file: UringFile,
    readonly view: AnyView,
    readonly offset: number,
    readonly opcode: number,
    /**
     * What the kernel reads or writes: the caller's bytes, a pool slice, or a bounce buffer;
     * undefined for a bounced read of one slot until `prepare` takes its slot.
     */
    public buffer: Uint8Array | undefined,
    readonly length: number,
    readonly aux: number,
    readonly timeoutMs: number | undefined,
    /** The caller's bytes when `buffer` is a bounce buffer (a read copies into them at completion). */
    readonly target: Uint8Array | undefined,
    /** The rest of a bounced transfer larger than one bounce buffer. */
    readonly next: Continuation | undefined,
  ) {
    this.fd = file.fd;
    this.eager = file.direct;
    this.path = file.slots;
    this.locator = target === undefined || buffer === undefined ? 0 : file.backend.bounce.locate(buffer);
    // A FIFO's or socket's read may wait; an O_DIRECT read would block on the device.
    const ops = file.backend.opcodes;
    this.aux2 = (opcode === ops.READ || opcode === ops.READ_FIXED) && !file.direct && !file.slots.stream ? READ_HERE : 0;
  }

  /** A bounced read of one slot takes it now, as it gets into the ring (see Operation.prepare). */
  prepare(): void {
    if (this.buffer !== undefined) return;
    const bounce = this.file.backend.bounce.take(this.length);
    this.buffer = bounce;
    this.locator = this.file.backend.bounce.locate(bounce);
  }

  complete(result: number): void {
    this.file.finishTransfer(this, result);
  }

  late(): void {
    this.file.lateTransfer(this);
  }
}

/**
 * One `readAt` through UringFile.readDirect: the ring's operation, its completion and the
 * caller's promise in one object. The kernel reads into a bounce slot (taken in `prepare`, as a
 * Transfer's), so a caller that detaches `target` meanwhile changes nothing the kernel touches;
 * a shared `target` cannot be detached, and the kernel reads into it.
 */
class DirectRead extends Settler<number> implements Operation, Cancellable {
  readonly opcode: number;
  readonly fd: number;
  readonly length: number;
  readonly aux2 = READ_HERE;
  readonly path: UringPathSlots;
  ticket: Ticket | undefined = undefined;
  /** What the kernel fills: the shared target, or a bounce slot from `prepare` on. */
  buffer: Uint8Array | undefined;
  locator = 0;
  /** Read through a bounce slot (`target` can be detached). */
  readonly bounced: boolean;
  constructor(
    readonly file: UringFile,
    readonly offset: number,
    /** The caller's bytes, filled from the slot at the completion when bounced. */
    readonly target: Uint8Array,
    shared: boolean,
  ) {
    super();
    this.opcode = file.backend.opcodes.READ;
    this.fd = file.fd;
    this.length = target.byteLength;
    this.path = file.slots;
    this.bounced = !shared;
    this.buffer = shared ? target : undefined;
  }

  prepare(): void {
    if (!this.bounced) return;
    const bounce = this.file.backend.bounce.take(this.length);
    this.buffer = bounce;
    this.locator = this.file.backend.bounce.locate(bounce);
  }

  complete(result: number): void {
    this.file.finishDirectRead(this, result);
  }

  late(): void {
    this.file.lateDirectRead(this);
  }
}

/** A bounced transfer waiting for bounce memory; `settled` once a close or an abort settled it. */
interface Waiting extends Abortable {
  readonly pos: number;
  readonly view: AnyView;
  readonly reading: boolean;
  readonly next: Continuation | undefined;
  settled: boolean;
}

/** One direction of a stream-like file (UringFile's #order): the packet in the kernel and those waiting. */
class StreamOrder {
  /** The packet whose pieces are in the kernel (or waiting for bounce memory), if any. */
  packet: AnyView["packet"] | undefined = undefined;
  /** Its transfers in the kernel or waiting for bounce memory. */
  active = 0;
  /** Packets of this direction submitted after it, in order. */
  readonly queue = new Fifo<{ readonly pos: number; readonly view: AnyView }>();
}

/** The piece of a bounced transfer that starts when the one before it completes in full. */
interface Continuation {
  readonly pos: number;
  readonly view: AnyView;
}

function detachedError(reading: boolean, path: string, when: string): IoError {
  const op = reading ? "read" : "write";
  return new IoError("InvalidInput", `the buffer was detached ${when.replace("the read", `the ${op}`)} (${op} of ${path}): a buffer belongs to the I/O system until the ${op} settles`, { op, backend: "uring", path });
}
