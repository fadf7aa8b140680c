/**
 * The io_uring driver: one ring per runtime. Every operation gets a slot (its user_data); all
 * operations of one synchronous run are written into a shared parameter array and submitted with
 * one addon call at the end of the tick; completions come back in batches through a shared
 * Int32Array, one JS call per batch. `blockOn` waits in io_uring_enter on this thread.
 */
import { availableParallelism } from "node:os";
import { IoError, type IoBackend, type PollingHandle } from "@pktio/core";
import { Fifo, fromErrno, parseOptions, PathSlots } from "@pktio/core/backend";
import type { Addon, RingHandle } from "./internal/addon.js";
import { BounceArena } from "./internal/BounceArena.js";
import { NET_AREA } from "./internal/NetOp.js";
import { RegisteredPool } from "./RegisteredPool.js";
import { UringOptions, type ResolvedUringOptions } from "./UringOptions.js";

const PARAMS_PER_OP = 9;
/** Completions reaped right after submission per macrotask (see #reapInline). */
const INLINE_BUDGET = 4096;
const IORING_SETUP_SQPOLL = 1 << 1;
/** Errnos of an io_uring_setup that refuses SQPOLL but may take a plain ring: -EPERM, -EINVAL, -ENOMEM. */
const SQPOLL_REFUSALS = new Set([-1, -22, -12]);
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
 * With a submit thread, the JS thread still enters a batch of small file operations itself while
 * at most this many of the ring's records are in use (this batch's included). Measured 2026-12-07 (2-core VM, 4 KiB cached
 * random reads): at 16 reads in flight the hand-off did 83–86k reads/s against the plain ring's
 * 403–416k, at 24 171–174k against 423–425k, at 32 354–370k against 404–425k, at 48 equal, at 64
 * the thread 1.2–1.6× ahead. Before, only a batch of at most 4 with nothing else in flight was.
 */
const SHALLOW_IN_FLIGHT = 40;
/** The largest transfer a shallow batch may hold (one bounce slot); a larger one is worth the hand-off. */
const SHALLOW_MAX_BYTES = 4096;
/** The largest batch a ring with a submit thread enters on the JS thread when nothing else is in flight, whatever it holds. */
const INLINE_SUBMIT_MAX = 4;

/** Operation.aux2 of a READ that the addon may serve from the page cache on the JS thread (a regular file's bounced read). */
export const READ_HERE = 1;
/** The opcode the addon writes into a record it served on the JS thread (its result is in the length field). */
const SERVED_HERE = -1;

/** A result no errno has: the operation never reached the kernel and was dropped by a close. */
export const CLOSED = -0x10001;
/**
 * A close stopped waiting for this operation (the kernel did not let go after a cancel): its
 * caller is settled with kind Closed, while the slot keeps the operation's memory until the
 * completion arrives, which is then delivered again through `late`.
 */
export const ABANDONED = -0x10002;
/** A read's bounce buffer completed, but the caller had detached its own buffer meanwhile. */
export const DETACHED = -0x10003;
const ECANCELED = -125;

/** How a cancellable completion is found again: its waiting entry, or its slot. */
export type Ticket = Waiting | number;

/**
 * Called with the completion's result: bytes transferred, a new fd, or -errno. A function, or an
 * object whose `complete` is called (file transfers: one object is both the operation and its
 * completion, instead of a record, a closure and its context for every read).
 */
export type Completion = ((result: number) => void) | Cancellable;

/** A completion object that `cancel` can find in O(1) (the backend keeps its ticket on it). */
export interface Cancellable {
  complete(result: number): void;
  /** The real result of an operation that was settled with ABANDONED, once the kernel let go. */
  late?(result: number): void;
  ticket?: Ticket | undefined;
}

/** An operation the backend does not hold yet (a transfer waiting for bounce memory): its signal's abort settles it. */
export interface Abortable {
  abort(): void;
}

function deliver(done: Completion | undefined, result: number): void {
  if (typeof done === "function") done(result);
  else done?.complete(result);
}

/** The error for a ring result: kind Closed for operations a close dropped or stopped waiting for. */
export function ringError(result: number, context: { op: string; path?: string }): IoError {
  if (result === CLOSED || result === ABANDONED) return new IoError("Closed", `${context.op}${context.path === undefined ? "" : ` of ${context.path}`}: the uring runtime was closed before it completed`, { ...context, backend: "uring" });
  return fromErrno(result, { ...context, backend: "uring" });
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
  readonly buffer?: Uint8Array | undefined;
  readonly buffer2?: Uint8Array | undefined;
  /** `buffer` as a bounce-arena locator (BounceArena.locate), or 0: the addon then skips the buffer lookup. */
  readonly locator?: number;
  /** The file's own slots (design.md §8): its transfers beyond the limit wait there, not in the runtime's queue. */
  readonly path?: UringPathSlots | undefined;
  /**
   * Called once, right before the record is written into a slot of the batch (never for an
   * operation that is cancelled while it waits): an operation that needs scarce memory, a read's
   * bounce slot, takes it here, so thousands of queued reads do not hold thousands of slots.
   */
  prepare?(): void;
}

/** The slots of one file on the ring; a stream-like file's operations never take the runtime's slots. */
export type UringPathSlots = PathSlots<Waiting>;

interface Waiting {
  readonly operation: Operation;
  readonly done: Completion;
  cancelled: boolean;
  /** Set while it waits in its path's queue (not the runtime's). */
  readonly path?: UringPathSlots | undefined;
}

/** One listener per signal per runtime, whatever the number of operations it governs. */
interface Watch {
  readonly operations: Set<Cancellable | Abortable>;
  readonly onAbort: () => void;
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
  /** Bounce memory for transfers of buffers that can be detached (internal/BounceArena.ts). */
  readonly bounce: BounceArena;
  /** True when the ring runs with IORING_SETUP_SQPOLL (asked for, and the kernel agreed). */
  readonly sqpoll: boolean;
  /** Why `sqpoll: true` was not honoured (the kernel refused the flag; the ring runs without it). */
  readonly sqpollRefused: string | undefined;
  /** True when a submit thread makes this ring's submitting io_uring_enter calls (option `submitThread`). */
  readonly submitThread: boolean;
  /** Why a submit thread asked for (or chosen by "auto") is not running. */
  readonly submitThreadRefused: string | undefined;
  readonly #addon: Addon;
  readonly #ring: RingHandle;
  readonly #params: Float64Array;
  readonly #completions: Int32Array;
  /**
   * Copies of #completions, one per nesting depth of #process (a handler that blocks reaps into
   * the shared array again): reused, because a fresh slice per batch was a malloc and a backing
   * store to sweep, 4 % of the JS thread at 64 cached reads in flight.
   */
  readonly #pairCopies: Int32Array[] = [];
  #processDepth = 0;
  readonly #buffers: (Uint8Array | undefined)[];
  /** Records written to #params and not yet submitted. */
  #batch = 0;
  /** Eager operations among them. */
  #eagerBatched = 0;
  /** The unsubmitted batch holds a transfer over SHALLOW_MAX_BYTES or a stream slot's operation (see #submitBatch). */
  #batchBulky = false;
  readonly #handlers: (Completion | undefined)[];
  /** The operation in each slot: what a close must cancel, and what an abandoned one holds. */
  readonly #operations: (Operation | undefined)[];
  /** Index of each slot's record in the unsubmitted batch, or -1 once the kernel has it. */
  readonly #batchIndex: Int32Array;
  /** Slots whose caller was settled with ABANDONED; the kernel still owns their memory. */
  readonly #abandoned: Uint8Array;
  #abandonedCount = 0;
  /** Work outside the ring that uses a ring-opened fd (libuv's ftruncate): the ring outlives it. */
  #holds = 0;
  readonly #freeSlots: number[];
  /**
   * Slots past maxInFlight, reserved at construction for operations that may wait for ever (a
   * FIFO's or a device's transfers, socket operations): they never take the runtime's slots, so a blocked one
   * cannot starve a regular file (issue 14). Bounded per path (maxInFlightPerStream) and per socket
   * (one receive and one send at a time); past streamSlotsFor(maxInFlight) of them at once, more
   * take the runtime's slots like any operation.
   */
  readonly #freeStreamSlots: number[];
  /** Socket opcodes: unbounded[opcode] === 1. */
  readonly #unbounded = new Uint8Array(256);
  /** Live entries waiting in paths' queues, and the paths that have some. */
  #pathWaiting = 0;
  readonly #queuedPaths = new Set<UringPathSlots>();
  readonly #pathsToDrain = new Fifo<UringPathSlots>();
  #drainingPaths = false;
  /** Operations waiting for a free slot, in order (a Fifo: thousands may wait). Cancelled ones stay as tombstones. */
  readonly #waiting = new Fifo<Waiting>();
  #waitingLive = 0;
  #cancelsPrepared = false;
  #flushScheduled = false;
  #active = false;
  #closed = false;
  #ringClosed = false;
  /** The ring is unmapped once the abandoned operations complete (a close stopped waiting for them). */
  #ringCloseWanted = false;
  #closing: Promise<void> | undefined = undefined;
  #drained: (() => void) | undefined = undefined;
  readonly #open = new Set<Closable>();
  readonly #watches = new WeakMap<AbortSignal, Watch>();
  /**
   * Held here so that the addon's reference to it, weak while the ring is idle, never outlives
   * the function: the ring and this backend are collected together or not at all.
   */
  readonly #onComplete = (count: number): void => this.#process(count);
  #inlineBudget = INLINE_BUDGET;
  #directTransfers = 0;
  #readsServedHere = 0;
  #directDatagrams = 0;
  #directSends = 0;
  #recvPollFirst = true;
  /** The msghdr area of `sendNow` (synchronous: one serves every stream). */
  readonly #nowArea = new Uint8Array(NET_AREA);
  /** Waiting-queue entries visited by cancels and closes (a linear-work check for tests). */
  #waitingScans = 0;
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
    if (this.options.sqThreadCpu !== undefined && !this.options.sqpoll) {
      throw new IoError("InvalidInput", "uring options: sqThreadCpu pins the SQ thread of an SQPOLL ring; it needs sqpoll: true", { op: "openUring", backend: "uring" });
    }
    for (const tuning of ["submitSpinUs", "completionSpinUs"] as const) {
      if (options?.[tuning] !== undefined && this.options.submitThread === false) {
        throw new IoError("InvalidInput", `uring options: ${tuning} tunes the submit thread; it needs submitThread: true or "auto"`, { op: "openUring", backend: "uring" });
      }
    }
    if (this.options.submitThread === true && this.options.sqpoll) {
      throw new IoError("InvalidInput", "uring options: submitThread and sqpoll both move submission off the JS thread; choose one", { op: "openUring", backend: "uring" });
    }
    this.#addon = addon;
    // A copy, frozen: the addon's object has more properties than V8 keeps in fast mode for an
    // object built by the API (it is a dictionary), and every load from a dictionary is a call in
    // optimized code; a literal built by spread is fast, and transfers read these per operation.
    this.opcodes = Object.freeze({ ...addon.opcodes });
    const slots = this.options.maxInFlight;
    // The addon's slot table is as long as the parameter array: the stream slots are part of it.
    const allSlots = slots + streamSlotsFor(slots);
    this.#params = new Float64Array(allSlots * PARAMS_PER_OP);
    this.#completions = new Int32Array(Math.max(256, allSlots) * 2);
    this.#buffers = new Array<Uint8Array | undefined>(allSlots * 2).fill(undefined);
    this.#handlers = new Array<Completion | undefined>(allSlots).fill(undefined);
    this.#operations = new Array<Operation | undefined>(allSlots).fill(undefined);
    this.#batchIndex = new Int32Array(allSlots).fill(-1);
    this.#abandoned = new Uint8Array(allSlots);
    this.#freeSlots = Array.from({ length: slots }, (_, i) => slots - 1 - i);
    this.#freeStreamSlots = Array.from({ length: allSlots - slots }, (_, i) => allSlots - 1 - i);
    const entries = this.options.entries ?? Math.min(32_768, 2 ** Math.ceil(Math.log2(slots * 2)));
    const open = (flags: number): RingHandle | number => addon.open(entries, flags, this.#params, this.#completions, this.#onComplete, this.options.sqThreadCpu ?? -1);
    let ring = open(this.options.sqpoll ? IORING_SETUP_SQPOLL : 0);
    let refused: string | undefined;
    if (typeof ring === "number" && this.options.sqpoll && SQPOLL_REFUSALS.has(ring)) {
      // EPERM (before 5.11 SQPOLL needs CAP_SYS_NICE), EINVAL (no such CPU, or an old kernel):
      // a ring without the kernel thread still works, so the runtime falls back and says why.
      refused = `io_uring_setup with IORING_SETUP_SQPOLL failed: ${fromErrno(ring, { op: "io_uring_setup", backend: "uring" }).message}`;
      ring = open(0);
    }
    this.sqpoll = this.options.sqpoll && refused === undefined;
    this.sqpollRefused = refused;
    if (typeof ring === "number") {
      const error = fromErrno(ring, { op: "io_uring_setup", backend: "uring" });
      throw new IoError(ring === -22 ? "InvalidInput" : "Unsupported", `io_uring_setup failed: ${error.message}`, { op: "io_uring_setup", backend: "uring", cause: error });
    }
    this.#ring = ring;
    const wantThread = this.options.submitThread === "auto" ? !this.sqpoll && availableParallelism() >= 2 : this.options.submitThread;
    const started = wantThread ? addon.startSubmitThread(ring, this.options.submitSpinUs, this.options.completionSpinUs) : 0;
    this.submitThread = wantThread && started === 0;
    this.submitThreadRefused = started < 0 ? `the submit thread could not be started: ${fromErrno(started, { op: "uv_thread_create", backend: "uring" }).message}` : undefined;
    const supported = addon.probe(ring);
    this.supported = typeof supported === "number" ? new Uint8Array(64) : supported;
    if (this.supported[this.opcodes.READ] !== 1 || this.supported[this.opcodes.WRITE] !== 1) {
      addon.close(ring);
      throw new IoError("Unsupported", "this kernel's io_uring lacks IORING_OP_READ/WRITE (Linux 5.6+)", { op: "probe", backend: "uring" });
    }
    this.pool = this.options.registeredBuffers === undefined ? undefined : new RegisteredPool(addon, ring, this.options.registeredBuffers);
    this.bounce = new BounceArena(
      allSlots,
      (bytes, alignment) => addon.alignOffset(bytes, alignment),
      (chunk) => (this.#ringClosed ? -1 : addon.registerArena(this.#ring, chunk)),
    );
    const ops = this.opcodes;
    for (const opcode of [ops.SEND, ops.RECV, ops.SENDMSG, ops.RECVMSG, ops.ACCEPT, ops.CONNECT]) this.#unbounded[opcode] = 1;
  }

  /** The slots of a newly opened file (options maxInFlightPerFile, maxInFlightPerStream). */
  pathSlots(): UringPathSlots {
    return new PathSlots<Waiting>(this.options.maxInFlightPerFile, this.options.maxInFlightPerStream);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Operations handed to the kernel (or queued for it) and not yet completed. */
  get inFlight(): number {
    return this.#handlers.length - this.#freeSlots.length - this.#freeStreamSlots.length + this.#waitingLive + this.#pathWaiting;
  }

  /** Waiting-queue entries visited by cancels and closes so far: stays linear in the operations (tests). */
  get waitingScans(): number {
    return this.#waitingScans;
  }

  has(opcode: number): boolean {
    return this.supported[opcode] === 1;
  }

  /** True when the bytes start at an address that is a multiple of `alignment` (a power of two). */
  isAligned(bytes: Uint8Array, alignment: number): boolean {
    return this.#addon.alignOffset(bytes, alignment) === 0;
  }

  /**
   * SQPOLL rings: true once the kernel's SQ thread sleeps (IORING_SQ_NEED_WAKEUP), which it does
   * about 2 ms after the last submission (sq_thread_idle); false while it polls, and on other rings.
   */
  get sqThreadAsleep(): boolean {
    return this.sqpoll && !this.#ringClosed && this.#addon.sqThreadAsleep(this.#ring);
  }

  /**
   * Rings with a submit thread: true while it sleeps on its futex, which it does `submitSpinUs`
   * after its last submission; false while it polls, and on other rings.
   */
  get submitThreadAsleep(): boolean {
    return this.submitThread && !this.#ringClosed && this.#addon.submitThreadAsleep(this.#ring);
  }

  /**
   * Reads a ring with a submit thread served from the page cache on the JS thread (a preadv2 with
   * RWF_NOWAIT) instead of the ring, because the thread was behind (docs/uring.md).
   */
  get readsServedHere(): number {
    return this.#readsServedHere;
  }

  /**
   * Test hook: while held, the submit thread hands no SQEs to the kernel, so a test can build a
   * backlog without depending on timing. Releasing submits what was published meanwhile.
   * @internal
   */
  holdSubmitThread(held: boolean): void {
    if (!this.submitThread || this.#ringClosed) throw new IoError("InvalidInput", "holdSubmitThread: this ring has no submit thread", { op: "holdSubmitThread", backend: "uring" });
    this.#addon.holdSubmitter(this.#ring, held);
  }

  /** Transfers served by `transferNow`, without the ring. */
  get directTransfers(): number {
    return this.#directTransfers;
  }

  /**
   * A blocking read or write of the whole buffer on the calling thread, without the ring (the
   * sync helpers' fast path): bytes moved or -errno. Undefined when the ring is not idle, so
   * that a caller blocking while operations are in flight still drives their completions.
   * Zero-copy even for buffers that can be detached: no JS runs during the system call, so
   * nothing can detach the buffer before it returns.
   */
  transferNow(fd: number, bytes: Uint8Array, pos: number, write: boolean): number | undefined {
    if (!this.options.directSync || this.#batch > 0 || this.#ringClosed || this.inFlight > 0) return undefined;
    this.#directTransfers++;
    return this.#addon.transfer(fd, bytes, pos, write);
  }

  /** Datagrams moved by `datagramNow`, without the ring. */
  get directDatagrams(): number {
    return this.#directDatagrams;
  }

  /**
   * One UDP datagram now, with a non-blocking sendmsg/recvmsg on the calling thread (see the
   * addon's `datagram`): bytes moved or -errno, -EAGAIN when it would block. Undefined when
   * `directDatagrams` is off or the ring is closed: the caller then uses the ring.
   */
  datagramNow(fd: number, send: boolean, bytes: Uint8Array, length: number, area: Uint8Array, nameLength: number): number | undefined {
    if (!this.options.directDatagrams || this.#ringClosed) return undefined;
    const result = this.#addon.socketNow(this.#ring, fd, send, bytes, length, area, nameLength);
    if (result >= 0) this.#directDatagrams++;
    return result;
  }

  /**
   * Whether a stream's RECV on a drained socket arms its poll first (IORING_RECVSEND_POLL_FIRST,
   * Linux 5.19): true until the kernel refuses the flag once (-EINVAL); streams then leave it off.
   */
  get recvPollFirst(): boolean {
    return this.#recvPollFirst;
  }

  /** The kernel refused IORING_RECVSEND_POLL_FIRST: no RECV asks for it again. */
  refuseRecvPollFirst(): void {
    this.#recvPollFirst = false;
  }

  /** Stream sends `sendNow` made without the ring (each took some or all of its bytes). */
  get directSends(): number {
    return this.#directSends;
  }

  /**
   * A TCP stream's send now, with one non-blocking sendmsg on the calling thread: the bytes the
   * socket's buffer took (maybe fewer than `length`), or -errno, -EAGAIN when it took none.
   * Undefined when `directSends` is off or the ring is closed: the caller then uses the ring.
   */
  sendNow(fd: number, bytes: Uint8Array, length: number): number | undefined {
    if (!this.options.directSends || this.#ringClosed) return undefined;
    const result = this.#addon.socketNow(this.#ring, fd, true, bytes, length, this.#nowArea, 0);
    if (result > 0) this.#directSends++;
    return result;
  }

  /**
   * A blocking-mode socket (tracked by the addon until its CLOSE), bound to `address` and
   * listening when backlog > 0: fd or -errno. Creation, bind and listen never block.
   */
  openSocket(domain: number, type: number, address: Uint8Array | null, backlog: number): number {
    if (this.#ringClosed) return -9; // EBADF: the ring and its fds are gone
    return this.#addon.socket(this.#ring, domain, type, address, backlog);
  }

  /** getsockname (peer false) or getpeername into `out`: the length, or -errno. */
  socketName(fd: number, peer: boolean, out: Uint8Array): number {
    return this.#addon.sockName(fd, peer, out);
  }

  /** TCP_NODELAY on an accepted socket. */
  noDelay(fd: number): number {
    return this.#addon.noDelay(fd);
  }

  /** Closes an fd the ring opened, now, on this thread (and forgets it in the addon's list of open fds). */
  closeFdNow(fd: number): void {
    if (!this.#ringClosed) this.#addon.closeFd(this.#ring, fd);
  }

  /**
   * Closes a socket's fd once nothing of it is in flight: through the ring (a CLOSE) while the
   * runtime runs, at once on this thread once it has closed. `then` runs after the fd is closed.
   */
  closeSocketFd(fd: number, then: () => void): void {
    if (this.closed) {
      this.closeFdNow(fd);
      return then();
    }
    this.submit({ opcode: this.opcodes.CLOSE, fd }, then);
  }

  /** Queues an operation for this tick's submission; `done` runs with its result. */
  submit(operation: Operation, done: Completion): void {
    if (this.#ringClosed) {
      // The ring's teardown closed every fd it opened: a file's close has nothing left to do.
      deliver(done, operation.opcode === this.opcodes.CLOSE ? 0 : CLOSED);
      return;
    }
    const path = operation.path;
    if (path !== undefined) {
      skipCancelled(path);
      if (!path.hasRoom) {
        const entry: Waiting = { operation, done, cancelled: false, path };
        if (typeof done === "object") done.ticket = entry;
        path.waiting.push(entry);
        this.#pathWaiting++;
        this.#queuedPaths.add(path);
        return;
      }
      path.inFlight++;
    }
    this.#start(operation, done);
  }

  /** Gives an operation that holds its path's slot (if any) a ring slot, or queues it for one. */
  #start(operation: Operation, done: Completion): void {
    if ((operation.path?.stream === true || this.#unbounded[operation.opcode] === 1) && this.#freeStreamSlots.length > 0) return this.#write(this.#freeStreamSlots.pop() as number, operation, done);
    const slot = this.#freeSlots.pop();
    if (slot === undefined) {
      const entry: Waiting = { operation, done, cancelled: false };
      if (typeof done === "object") done.ticket = entry;
      this.#waiting.push(entry);
      this.#waitingLive++;
      return;
    }
    this.#write(slot, operation, done);
  }

  /**
   * Cancels the operation submitted with `done`, if it has not completed, in O(1): one still
   * waiting for a slot or still in this tick's unsubmitted batch completes at once with
   * -ECANCELED, without a system call; one in the kernel gets an ASYNC_CANCEL (submitted with
   * the next flush) and may still return data.
   */
  cancel(done: Cancellable): void {
    const ticket = done.ticket;
    if (ticket === undefined) return;
    if (typeof ticket === "object") {
      this.#waitingScans++;
      if (ticket.cancelled) return;
      ticket.cancelled = true;
      if (ticket.path === undefined) this.#waitingLive--;
      else this.#pathWaiting--;
      done.ticket = undefined;
      deliver(done, ECANCELED);
      // One that waited for a ring slot held its path's slot.
      if (ticket.path === undefined && ticket.operation.path !== undefined) this.#releasePath(ticket.operation.path);
      return;
    }
    if (this.#handlers[ticket] !== done) return;
    if (this.#batchIndex[ticket] as number >= 0) {
      this.#unbatch(ticket);
      this.#complete(ticket, ECANCELED);
      this.#settleIdle();
      return;
    }
    this.#cancelInKernel(ticket);
  }

  /**
   * Aborting `signal` cancels `operation`. One listener per signal however many operations
   * share it (a listener each would rebuild nothing, but warns past 10 and costs one closure per
   * operation). `unwatch` at completion.
   */
  watch(signal: AbortSignal, operation: Cancellable | Abortable): void {
    let watch = this.#watches.get(signal);
    if (watch === undefined) {
      const operations = new Set<Cancellable | Abortable>();
      const onAbort = (): void => {
        this.#watches.delete(signal);
        for (const waiting of operations) {
          if ("abort" in waiting) waiting.abort();
          else this.cancel(waiting);
        }
        operations.clear();
      };
      watch = { operations, onAbort };
      this.#watches.set(signal, watch);
      signal.addEventListener("abort", onAbort, { once: true });
    }
    watch.operations.add(operation);
  }

  unwatch(signal: AbortSignal, operation: Cancellable | Abortable): void {
    const watch = this.#watches.get(signal);
    if (watch === undefined || !watch.operations.delete(operation) || watch.operations.size > 0) return;
    this.#watches.delete(signal);
    signal.removeEventListener("abort", watch.onAbort);
  }

  /** Prepares an ASYNC_CANCEL for `slot` (user_data); it goes to the kernel with the next flush. */
  #cancelInKernel(slot: number): void {
    this.#addon.cancel(this.#ring, slot);
    this.#cancelsPrepared = true;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Takes the unsubmitted record of `slot` out of the batch (the last record moves into its place). */
  #unbatch(slot: number): void {
    const index = this.#batchIndex[slot] as number;
    const last = --this.#batch;
    this.#batchIndex[slot] = -1;
    if (index !== last) {
      const params = this.#params;
      params.copyWithin(index * PARAMS_PER_OP, last * PARAMS_PER_OP, (last + 1) * PARAMS_PER_OP);
      this.#buffers[index * 2] = this.#buffers[last * 2];
      this.#buffers[index * 2 + 1] = this.#buffers[last * 2 + 1];
      this.#batchIndex[params[index * PARAMS_PER_OP + 4] as number] = index;
    }
    this.#buffers[last * 2] = undefined;
    this.#buffers[last * 2 + 1] = undefined;
  }

  #write(slot: number, operation: Operation, done: Completion): void {
    operation.prepare?.();
    this.#handlers[slot] = done;
    this.#operations[slot] = operation;
    if (typeof done === "object") done.ticket = slot;
    const at = this.#batch * PARAMS_PER_OP;
    const params = this.#params;
    params[at] = operation.opcode;
    params[at + 1] = operation.fd;
    params[at + 2] = operation.offset ?? 0;
    const length = operation.length ?? 0;
    params[at + 3] = length;
    if (length > SHALLOW_MAX_BYTES || slot >= this.options.maxInFlight) this.#batchBulky = true;
    params[at + 4] = slot;
    params[at + 5] = operation.aux ?? 0;
    params[at + 6] = operation.aux2 ?? 0;
    params[at + 7] = operation.timeoutMs ?? 0;
    params[at + 8] = operation.locator ?? 0;
    this.#buffers[this.#batch * 2] = operation.buffer;
    this.#buffers[this.#batch * 2 + 1] = operation.buffer2;
    this.#batchIndex[slot] = this.#batch;
    this.#batch++;
    // At most maxInFlight records a submission: the ring's entries are sized for that many.
    if (this.#batch >= this.options.maxInFlight) this.flush();
    else if (operation.eager === true && ++this.#eagerBatched >= EAGER_GROUP) this.#submitBatch(0);
    if (this.#batch > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Submits every queued operation now (one io_uring_enter, which also waits for `waitNr` completions). */
  flush(waitNr = 0): void {
    if (this.#batch === 0) {
      if (this.#cancelsPrepared && !this.#ringClosed) {
        this.#cancelsPrepared = false;
        this.#addon.submit(this.#ring, 0, this.#buffers, 0);
      }
      return;
    }
    // Reads served on this thread count against the same budget as inline reaping.
    const readHere = waitNr === 0 && this.submitThread && this.#inlineBudget > 0 ? this.#inlineBudget : 0;
    if (this.#submitBatch(waitNr, readHere) && waitNr === 0) this.#reapInline();
  }

  /**
   * The submission of `flush` without the inline reaping; true when the kernel took the whole batch.
   * `readHere`: how many reads the addon may serve on this thread (see the addon's submit).
   */
  #submitBatch(waitNr: number, readHere = 0): boolean {
    const count = this.#batch;
    if (count === 0) return false;
    const eager = this.#eagerBatched > 0;
    this.#eagerBatched = 0;
    this.#cancelsPrepared = false; // the same io_uring_enter submits them
    // A blocking caller reaps these itself; only completions left to the loop need the poll held.
    if (!this.#active && (waitNr === 0 || this.inFlight > count)) {
      this.#active = true;
      this.#addon.setActive(this.#ring, true);
    }
    // With a submit thread, a batch of small file operations is entered here while few are in
    // flight: the hop to the thread then buys little overlap and costs two wake-ups a round trip
    // (JS waits for the thread's completions, the thread sleeps while JS handles them). A batch
    // with a larger transfer or a socket's or FIFO's operation (bulky) keeps the older rule: entered
    // here only when it is small and all there is in flight, since its copying is worth moving.
    // Device-bound (eager) batches too are entered here: their enter only starts the device, so
    // the hop would only delay it (O_DIRECT against fio fell from 0.95x to 0.67x with it).
    const inUse = this.options.maxInFlight - this.#freeSlots.length;
    const lone = count <= INLINE_SUBMIT_MAX && inUse <= count;
    const shallow = !this.#batchBulky && inUse <= SHALLOW_IN_FLIGHT;
    this.#batchBulky = false;
    const here = this.submitThread && (eager || lone || shallow);
    const accepted = this.#addon.submit(this.#ring, count, this.#buffers, waitNr, here, here ? 0 : readHere);
    this.#buffers.fill(undefined, 0, count * 2);
    this.#batch = 0;
    const params = this.#params;
    let served = 0;
    const completions = this.#completions;
    for (let i = 0; i < count; i++) {
      const at = i * PARAMS_PER_OP;
      const slot = params[at + 4] as number;
      this.#batchIndex[slot] = -1;
      if (params[at] === SERVED_HERE) {
        // Completed already: delivered below as a batch from the ring would be.
        completions[2 * served] = slot;
        completions[2 * served + 1] = params[at + 3] as number;
        served++;
      }
    }
    // Handlers may start operations, whose records overwrite #params: read every slot first.
    let refused: number[] | undefined;
    if (accepted < count) {
      refused = [];
      for (let i = Math.max(0, accepted); i < count; i++) refused.push(params[i * PARAMS_PER_OP + 4] as number);
    }
    if (served > 0) {
      this.#readsServedHere += served;
      this.#spendBudget(served);
      this.#process(served);
    }
    if (refused === undefined) return true;
    // The kernel refused part of the batch: those operations fail with its errno (or EBUSY).
    const errno = accepted < 0 ? accepted : -16;
    for (const slot of refused) this.#complete(slot, errno);
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
    this.#spendBudget(count);
    this.#process(count);
  }

  /** Counts completions handled inside this macrotask (INLINE_BUDGET); the next macrotask restores it. */
  #spendBudget(count: number): void {
    if (this.#inlineBudget === INLINE_BUDGET) setImmediate(this.#resetBudget).unref();
    this.#inlineBudget -= count;
  }

  #complete(slot: number, result: number): void {
    const done = this.#handlers[slot];
    const operation = this.#operations[slot];
    this.#handlers[slot] = undefined;
    this.#operations[slot] = undefined;
    if (slot < this.options.maxInFlight) this.#freeSlots.push(slot);
    else this.#freeStreamSlots.push(slot);
    if (typeof done === "object") done.ticket = undefined;
    if (operation?.path !== undefined) this.#releasePath(operation.path);
    if (this.#abandoned[slot] === 1) {
      // Its caller was settled at the close; the kernel has now let go of its memory.
      this.#abandoned[slot] = 0;
      this.#abandonedCount--;
      if (operation?.opcode === this.opcodes.OPENAT && result >= 0) this.closeFdNow(result);
      if (typeof done === "object") done.late?.(result);
      return;
    }
    deliver(done, result);
  }

  /** One batch from the addon: (slot, result) pairs in the shared array. */
  #process(count: number): void {
    // Copy first: a handler may block (blockOn), which reuses the shared array.
    const depth = this.#processDepth;
    let pairs = this.#pairCopies[depth];
    if (pairs === undefined) this.#pairCopies.push((pairs = new Int32Array(this.#completions.length)));
    pairs.set(this.#completions.subarray(0, count * 2));
    this.#processDepth = depth + 1;
    try {
      for (let i = 0; i < count; i++) this.#complete(pairs[2 * i] as number, pairs[2 * i + 1] as number);
    } finally {
      this.#processDepth = depth;
    }
    while (this.#waitingLive > 0 && this.#freeSlots.length > 0) {
      const next = this.#waiting.shift() as Waiting;
      if (next.cancelled) continue;
      this.#waitingLive--;
      this.#write(this.#freeSlots.pop() as number, next.operation, next.done);
    }
    this.#settleIdle();
  }

  #settleIdle(): void {
    if (this.#batch > 0) return;
    const inFlight = this.inFlight;
    if (inFlight > this.#abandonedCount) return;
    this.#drained?.();
    if (inFlight > 0) return;
    if (this.#active) {
      this.#active = false;
      this.#addon.setActive(this.#ring, false);
    }
    if (this.#ringCloseWanted && this.#holds === 0) this.#closeRing();
  }

  /** Keeps the ring (and the fds it tracks) open for work outside it; `release` when it is done. */
  hold(): void {
    this.#holds++;
  }

  release(): void {
    if (--this.#holds === 0) this.#settleIdle();
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

  /**
   * Cancels every operation of `fd` (a file's close): those not yet in the kernel complete at
   * once with CLOSED, the others get an ASYNC_CANCEL. One pass over the slots and the queue.
   */
  cancelFd(fd: number): void {
    this.#dropWaiting((operation) => operation.fd === fd);
    for (let slot = 0; slot < this.#handlers.length; slot++) {
      if (this.#handlers[slot] !== undefined && this.#abandoned[slot] === 0 && this.#operations[slot]?.fd === fd) this.#cancelSlot(slot);
    }
    this.flush();
    this.#settleIdle();
  }

  /**
   * Stops waiting for the operations of `fd` (every operation when undefined) that a cancel did
   * not end: their callers are settled now (ABANDONED, kind Closed), while their slots keep the
   * operations' memory and fds until the kernel completes them.
   */
  abandon(fd?: number): number {
    let count = 0;
    for (let slot = 0; slot < this.#handlers.length; slot++) {
      const done = this.#handlers[slot];
      if (done === undefined || this.#abandoned[slot] === 1 || (fd !== undefined && this.#operations[slot]?.fd !== fd)) continue;
      this.#abandoned[slot] = 1;
      this.#abandonedCount++;
      count++;
      deliver(done, ABANDONED);
    }
    return count;
  }

  /** Resolves true when `done` settles within the close grace period (options.closeGraceMs), else false. */
  within(done: Promise<void>): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, this.options.closeGraceMs, false)));
    return Promise.race([done.then(() => true), expired]).finally(() => clearTimeout(timer));
  }

  #cancelSlot(slot: number): void {
    if ((this.#batchIndex[slot] as number) >= 0) {
      this.#unbatch(slot);
      this.#complete(slot, CLOSED);
    } else this.#cancelInKernel(slot);
  }

  /** Completes the waiting operations `which` selects with CLOSED (they never reached the kernel). */
  #dropWaiting(which: (operation: Operation) => boolean): void {
    const dropped: Waiting[] = [];
    if (this.#waitingLive > 0) this.#waitingLive -= this.#sift(this.#waiting, which, dropped);
    for (const path of this.#queuedPaths) {
      this.#pathWaiting -= this.#sift(path.waiting, which, dropped);
      if (path.waiting.length === 0) this.#queuedPaths.delete(path);
    }
    for (const entry of dropped) {
      entry.cancelled = true;
      if (typeof entry.done === "object") entry.done.ticket = undefined;
      if (entry.operation.opcode === this.opcodes.CLOSE) {
        // A close is never dropped: its fd is closed here instead, and the close succeeds.
        this.closeFdNow(entry.operation.fd);
        deliver(entry.done, 0);
      } else deliver(entry.done, CLOSED);
      if (entry.path === undefined && entry.operation.path !== undefined) this.#releasePath(entry.operation.path);
    }
  }

  /** Moves the live entries of `queue` that `which` selects to `dropped`; returns how many. */
  #sift(queue: Fifo<Waiting>, which: (operation: Operation) => boolean, dropped: Waiting[]): number {
    const entries = queue.drain();
    this.#waitingScans += entries.length;
    const before = dropped.length;
    for (const entry of entries) {
      if (entry.cancelled) continue;
      if (which(entry.operation)) dropped.push(entry);
      else queue.push(entry);
    }
    return dropped.length - before;
  }

  /**
   * A path's operation completed: what waits on the path starts while it has free slots. A loop,
   * never recursion (operations that finish at once would nest one frame set per queued one).
   */
  #releasePath(path: UringPathSlots): void {
    path.inFlight--;
    if (path.waiting.length === 0) return;
    this.#pathsToDrain.push(path);
    if (this.#drainingPaths) return;
    this.#drainingPaths = true;
    try {
      for (let next = this.#pathsToDrain.shift(); next !== undefined; next = this.#pathsToDrain.shift()) {
        skipCancelled(next);
        for (let entry = next.waiting.peek(); entry !== undefined && next.inFlight < next.limit; entry = next.waiting.peek()) {
          next.waiting.shift();
          this.#pathWaiting--;
          next.inFlight++;
          if (typeof entry.done === "object") entry.done.ticket = undefined;
          this.#start(entry.operation, entry.done);
          skipCancelled(next);
        }
        if (next.waiting.length === 0) this.#queuedPaths.delete(next);
      }
    } finally {
      this.#drainingPaths = false;
    }
  }

  /**
   * Cancels everything in flight first (design.md §4), closes every file, and waits for the
   * kernel to let go, at most options.closeGraceMs after the cancel: what it still holds then is
   * abandoned (callers settled with kind Closed, memory kept by the slots), and the ring is
   * unmapped when those operations complete. Resolves in bounded time.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = (async () => {
        this.#dropWaiting(() => true);
        // Every operation but a file's CLOSE: that one is cheap, and cancelling it would fail a
        // file.close() that raced this one and leave its fd to the teardown.
        for (let slot = 0; slot < this.#handlers.length; slot++) {
          if (this.#handlers[slot] !== undefined && this.#abandoned[slot] === 0 && this.#operations[slot]?.opcode !== this.opcodes.CLOSE) this.#cancelSlot(slot);
        }
        this.flush();
        this.#settleIdle();
        await Promise.all([...this.#open].map((handle) => handle.close()));
        this.flush();
        if (this.inFlight > this.#abandonedCount && !(await this.within(new Promise<void>((resolve) => (this.#drained = resolve))))) this.abandon();
        this.#drained = undefined;
        if (this.inFlight > 0 || this.#holds > 0) {
          // The abandoned operations keep the ring until they complete, but not the process.
          this.#ringCloseWanted = true;
          if (this.#active) {
            this.#active = false;
            this.#addon.setActive(this.#ring, false);
          }
        } else this.#closeRing();
      })();
    }
    return this.#closing;
  }

  #closeRing(): void {
    if (this.#ringClosed) return;
    this.#ringCloseWanted = false;
    if (this.#active) {
      this.#active = false;
      this.#addon.setActive(this.#ring, false);
    }
    this.#ringClosed = true;
    this.#addon.close(this.#ring);
    this.bounce.clear();
  }
}

/** Drops the cancelled entries at the head of a path's queue (a cancel leaves them as tombstones). */
function skipCancelled(path: UringPathSlots): void {
  for (let head = path.waiting.peek(); head?.cancelled === true; head = path.waiting.peek()) path.waiting.shift();
}

/** Slots past maxInFlight for operations that may wait for ever: as many again, at least 64. */
export function streamSlotsFor(maxInFlight: number): number {
  return Math.max(64, maxInFlight);
}
