/**
 * The io_uring driver: one ring per runtime. Every operation gets a slot (its user_data); all
 * operations of one synchronous run are written into a shared parameter array and submitted with
 * one addon call at the end of the tick; completions come back in batches through a shared
 * Int32Array, one JS call per batch. `blockOn` waits in io_uring_enter on this thread.
 */
import { IoError, type IoBackend, type PollingHandle } from "@pktio/core";
import { Fifo, fromErrno, parseOptions } from "@pktio/core/backend";
import type { Addon, RingHandle } from "./internal/addon.js";
import { RegisteredPool } from "./RegisteredPool.js";
import { UringOptions, type ResolvedUringOptions } from "./UringOptions.js";

const PARAMS_PER_OP = 8;
/** Completions reaped right after submission per macrotask (see #reapInline). */
const INLINE_BUDGET = 4096;
const IORING_SETUP_SQPOLL = 1 << 1;
/**
 * Device-bound operations (O_DIRECT transfers) go to the kernel in groups of this many without
 * waiting for the end of the tick. The VM's disk completes a queue of 64 reads in one burst; with
 * one submission per tick the device idles while JS handles the whole burst, and starting it after
 * every 4 measured +15 % (10 paired rounds, 2026-11-22: 54.5k vs 47.2k reads/s, fio 54.0k). Reads of
 * cached data complete inside io_uring_enter and lose the same share to extra entries, so they
 * keep one submission per tick.
 */
const EAGER_GROUP = 4;

/**
 * Called with the completion's result: bytes transferred, a new fd, or -errno. A function, or an
 * object whose `complete` is called (file transfers: one object is both the operation and its
 * completion, instead of a record, a closure and its context for every read).
 */
export type Completion = ((result: number) => void) | { complete(result: number): void };

function deliver(done: Completion | undefined, result: number): void {
  if (typeof done === "function") done(result);
  else done?.complete(result);
}

/** One operation as the addon takes it. */
export interface Operation {
  readonly opcode: number;
  readonly fd: number;
  readonly offset?: number;
  readonly length?: number;
  /** buf_index (fixed ops), flags (openat, statx, unlinkat, fsync), new dirfd (renameat). */
  readonly aux?: number;
  /** mode (openat, mkdirat) or mask (statx). */
  readonly aux2?: number;
  /** A LINK_TIMEOUT after this read or write, in milliseconds: the operation then fails with -ECANCELED. */
  readonly timeoutMs?: number | undefined;
  /** Completes on the device, never inside io_uring_enter (O_DIRECT): submitted in groups of EAGER_GROUP. */
  readonly eager?: boolean;
  readonly buffer?: Uint8Array;
  readonly buffer2?: Uint8Array;
}

interface Waiting {
  readonly operation: Operation;
  readonly done: Completion;
  cancelled: boolean;
}

/** Something `close()` must release first: a file. */
export interface Closable {
  close(): Promise<void>;
}

export class UringBackend implements IoBackend {
  readonly name = "uring";
  readonly options: ResolvedUringOptions;
  /** supported[opcode] === 1 for each opcode this kernel has (IORING_REGISTER_PROBE, once). */
  readonly supported: Uint8Array;
  readonly opcodes: Addon["opcodes"];
  readonly pool: RegisteredPool | undefined;
  readonly #addon: Addon;
  readonly #ring: RingHandle;
  readonly #params: Float64Array;
  readonly #completions: Int32Array;
  readonly #buffers: (Uint8Array | undefined)[];
  /** Records written to #params and not yet submitted. */
  #batch = 0;
  /** Eager operations among them. */
  #eagerBatched = 0;
  readonly #handlers: (Completion | undefined)[];
  readonly #freeSlots: number[];
  /** Operations waiting for a free slot, in order (a Fifo: thousands may wait). Cancelled ones stay as tombstones. */
  readonly #waiting = new Fifo<Waiting>();
  #waitingLive = 0;
  #flushScheduled = false;
  #active = false;
  #closed = false;
  #ringClosed = false;
  #closing: Promise<void> | undefined = undefined;
  #drained: (() => void) | undefined = undefined;
  readonly #open = new Set<Closable>();
  /**
   * Held here so that the addon's reference to it, weak while the ring is idle, never outlives
   * the function: the ring and this backend are collected together or not at all.
   */
  readonly #onComplete = (count: number): void => this.#process(count);
  #inlineBudget = INLINE_BUDGET;
  #directTransfers = 0;
  readonly #resetBudget = (): void => {
    this.#inlineBudget = INLINE_BUDGET;
  };
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.flush();
  };

  /** Opens a ring; throws IoError (kind Unsupported when io_uring cannot be set up here). */
  constructor(addon: Addon, options?: UringOptions) {
    this.options = parseOptions(UringOptions, options, "uring options");
    this.#addon = addon;
    this.opcodes = addon.opcodes;
    const slots = this.options.maxInFlight;
    this.#params = new Float64Array(slots * PARAMS_PER_OP);
    this.#completions = new Int32Array(Math.max(256, slots) * 2);
    this.#buffers = new Array<Uint8Array | undefined>(slots * 2).fill(undefined);
    this.#handlers = new Array<Completion | undefined>(slots).fill(undefined);
    this.#freeSlots = Array.from({ length: slots }, (_, i) => slots - 1 - i);
    const entries = this.options.entries ?? Math.min(32_768, 2 ** Math.ceil(Math.log2(slots * 2)));
    const ring = addon.open(entries, this.options.sqpoll ? IORING_SETUP_SQPOLL : 0, this.#params, this.#completions, this.#onComplete);
    if (typeof ring === "number") {
      const error = fromErrno(ring, { op: "io_uring_setup", backend: "uring" });
      throw new IoError(ring === -22 ? "InvalidInput" : "Unsupported", `io_uring_setup failed: ${error.message}`, { op: "io_uring_setup", backend: "uring", cause: error });
    }
    this.#ring = ring;
    const supported = addon.probe(ring);
    this.supported = typeof supported === "number" ? new Uint8Array(64) : supported;
    if (this.supported[this.opcodes.READ] !== 1 || this.supported[this.opcodes.WRITE] !== 1) {
      addon.close(ring);
      throw new IoError("Unsupported", "this kernel's io_uring lacks IORING_OP_READ/WRITE (Linux 5.6+)", { op: "probe", backend: "uring" });
    }
    this.pool = this.options.registeredBuffers === undefined ? undefined : new RegisteredPool(addon, ring, this.options.registeredBuffers);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Operations handed to the kernel (or queued for it) and not yet completed. */
  get inFlight(): number {
    return this.options.maxInFlight - this.#freeSlots.length + this.#waitingLive;
  }

  has(opcode: number): boolean {
    return this.supported[opcode] === 1;
  }

  /** True when the bytes start at an address that is a multiple of `alignment` (a power of two). */
  isAligned(bytes: Uint8Array, alignment: number): boolean {
    return this.#addon.alignOffset(bytes, alignment) === 0;
  }

  /** Transfers served by `transferNow`, without the ring. */
  get directTransfers(): number {
    return this.#directTransfers;
  }

  /**
   * A blocking read or write of the whole buffer on the calling thread, without the ring (the
   * sync helpers' fast path): bytes moved or -errno. Undefined when the ring is not idle, so
   * that a caller blocking while operations are in flight still drives their completions.
   */
  transferNow(fd: number, bytes: Uint8Array, pos: number, write: boolean): number | undefined {
    if (!this.options.directSync || this.#batch > 0 || this.#ringClosed || this.inFlight > 0) return undefined;
    this.#directTransfers++;
    return this.#addon.transfer(fd, bytes, pos, write);
  }

  /** Queues an operation for this tick's submission; `done` runs with its result. */
  submit(operation: Operation, done: Completion): void {
    if (this.#ringClosed) {
      deliver(done, -9); // EBADF: the ring is gone
      return;
    }
    const slot = this.#freeSlots.pop();
    if (slot === undefined) {
      this.#waiting.push({ operation, done, cancelled: false });
      this.#waitingLive++;
      return;
    }
    this.#write(slot, operation, done);
  }

  /** Asks the kernel to cancel the operation in `slot`; it still completes, with data or -ECANCELED. */
  cancelSlot(slot: number): void {
    if (this.#handlers[slot] !== undefined) this.#addon.cancel(this.#ring, slot);
  }

  /**
   * Cancels the operation submitted with `done`, if it has not completed: a queued one completes
   * at once with -ECANCELED, one in the kernel gets an ASYNC_CANCEL (and may still return data).
   */
  cancel(done: Completion): void {
    const waiting = this.#waiting.drain();
    let found = false;
    for (const entry of waiting) {
      if (entry.done === done && !entry.cancelled) {
        entry.cancelled = true;
        this.#waitingLive--;
        found = true;
      }
      this.#waiting.push(entry);
    }
    if (found) {
      deliver(done, -125); // ECANCELED: it never reached the kernel
      return;
    }
    const slot = this.#handlers.indexOf(done);
    if (slot < 0) return;
    this.flush(); // it may still be a record in this tick's batch
    this.#addon.cancel(this.#ring, slot);
  }

  #write(slot: number, operation: Operation, done: Completion): void {
    this.#handlers[slot] = done;
    const at = this.#batch * PARAMS_PER_OP;
    const params = this.#params;
    params[at] = operation.opcode;
    params[at + 1] = operation.fd;
    params[at + 2] = operation.offset ?? 0;
    params[at + 3] = operation.length ?? 0;
    params[at + 4] = slot;
    params[at + 5] = operation.aux ?? 0;
    params[at + 6] = operation.aux2 ?? 0;
    params[at + 7] = operation.timeoutMs ?? 0;
    this.#buffers[this.#batch * 2] = operation.buffer;
    this.#buffers[this.#batch * 2 + 1] = operation.buffer2;
    this.#batch++;
    if (this.#batch * PARAMS_PER_OP >= params.length) this.flush();
    else if (operation.eager === true && ++this.#eagerBatched >= EAGER_GROUP) this.#submitBatch(0);
    if (this.#batch > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Submits every queued operation now (one io_uring_enter, which also waits for `waitNr` completions). */
  flush(waitNr = 0): void {
    if (this.#submitBatch(waitNr) && waitNr === 0) this.#reapInline();
  }

  /** The submission of `flush` without the inline reaping; true when the kernel took the whole batch. */
  #submitBatch(waitNr: number): boolean {
    const count = this.#batch;
    if (count === 0) return false;
    this.#eagerBatched = 0;
    // A blocking caller reaps these itself; only completions left to the loop need the poll held.
    if (!this.#active && (waitNr === 0 || this.inFlight > count)) {
      this.#active = true;
      this.#addon.setActive(this.#ring, true);
    }
    const accepted = this.#addon.submit(this.#ring, count, this.#buffers, waitNr);
    this.#buffers.fill(undefined, 0, count * 2);
    this.#batch = 0;
    if (accepted >= count) return true;
    // The kernel refused part of the batch: those operations fail with its errno (or EBUSY).
    const errno = accepted < 0 ? accepted : -16;
    for (let i = Math.max(0, accepted); i < count; i++) {
      const slot = this.#params[i * PARAMS_PER_OP + 4] as number;
      this.#complete(slot, errno);
    }
    this.#settleIdle();
    return false;
  }

  /**
   * Reads of cached data complete inside io_uring_enter; reaping them right away saves an event
   * loop turn and an eventfd wake-up. A budget per macrotask keeps a chain of such completions
   * from starving timers and sockets: past it, the eventfd path takes over until the next turn.
   */
  #reapInline(): void {
    if (this.#inlineBudget <= 0) return;
    const count = this.#addon.wait(this.#ring, 0);
    if (count <= 0) return;
    if (this.#inlineBudget === INLINE_BUDGET) setImmediate(this.#resetBudget).unref();
    this.#inlineBudget -= count;
    this.#process(count);
  }

  #complete(slot: number, result: number): void {
    const done = this.#handlers[slot];
    this.#handlers[slot] = undefined;
    this.#freeSlots.push(slot);
    deliver(done, result);
  }

  /** One batch from the addon: (slot, result) pairs in the shared array. */
  #process(count: number): void {
    // Copy first: a handler may block (blockOn), which reuses the shared array.
    const pairs = this.#completions.slice(0, count * 2);
    for (let i = 0; i < count; i++) this.#complete(pairs[2 * i] as number, pairs[2 * i + 1] as number);
    while (this.#waitingLive > 0 && this.#freeSlots.length > 0) {
      const next = this.#waiting.shift() as Waiting;
      if (next.cancelled) continue;
      this.#waitingLive--;
      this.#write(this.#freeSlots.pop() as number, next.operation, next.done);
    }
    this.#settleIdle();
  }

  #settleIdle(): void {
    if (this.inFlight > 0 || this.#batch > 0) return;
    if (this.#active) {
      this.#active = false;
      this.#addon.setActive(this.#ring, false);
    }
    this.#drained?.();
  }

  /** Drives completions on this thread until `isDone()`; kind Busy if nothing can complete it. */
  blockOn(isDone: () => boolean): void {
    while (!isDone()) {
      // Submitting and waiting in one io_uring_enter: wait() below then only reaps.
      this.flush(1);
      if (this.inFlight === 0) throw new IoError("Busy", "blockOn: nothing is in flight on this ring, yet the packet has not settled", { op: "blockOn", backend: this.name });
      const count = this.#addon.wait(this.#ring, 1);
      if (count < 0) throw fromErrno(count, { op: "io_uring_enter", backend: this.name });
      this.#process(count);
    }
  }

  pollingHandle(): PollingHandle | null {
    // The eventfd is watched by the addon's own uv_poll_t; exposing it would let two loops reap.
    return null;
  }

  /** Remembers an open file so that `close()` can release it; returns a function that forgets it. */
  track(handle: Closable): () => void {
    if (this.#closed) throw new IoError("Closed", "the uring runtime is closed", { op: "open", backend: this.name });
    this.#open.add(handle);
    return () => this.#open.delete(handle);
  }

  /** Closes every file (each waits for its I/O), cancels what is left, waits for it, frees the ring. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = (async () => {
        await Promise.all([...this.#open].map((handle) => handle.close()));
        this.flush();
        if (this.inFlight > 0) {
          for (let slot = 0; slot < this.#handlers.length; slot++) this.cancelSlot(slot);
          await new Promise<void>((resolve) => (this.#drained = resolve));
        }
        this.#ringClosed = true;
        this.#addon.close(this.#ring);
      })();
    }
    return this.#closing;
  }
}
