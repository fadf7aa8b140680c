/**
 * The threaded backend's driver: a pool of worker threads, each with its own request ring in
 * one SharedArrayBuffer (layout: internal/ringLayout.ts), a bounce arena for buffers the workers
 * cannot see, and the completion loop. Submissions of one tick share one wake-up per worker;
 * completions are taken in batches, between event-loop turns through `Atomics.waitAsync` on the
 * completion counter, or on the calling thread through `Atomics.wait` in `blockOn`, which makes
 * every `*Sync` helper real. Idle workers never keep the process alive.
 */
import { closeSync } from "node:fs";
import { IoError, type IoBackend, type PollingHandle } from "@pktio/core";
import { blockingTransfer, type BlockingResult, Fifo, SyncScope } from "@pktio/core/backend";
import { BounceArena } from "./internal/BounceArena.js";
import { Cancellations } from "./internal/Cancellations.js";
import { BACKEND } from "./internal/errors.js";
import type { MetaRequest } from "./internal/messages.js";
import { Completion, Request } from "./internal/Request.js";
import { BUFFER_NONE, Claim, FIRST_SHARED_ID, Op, ringLayout, type OpCode, type RingLayout } from "./internal/ringLayout.js";
import { RingWorker, type SharedMemory } from "./internal/RingWorker.js";
import { SharedBuffers } from "./internal/SharedBuffers.js";
import { testHooks, type TestHooks } from "./internal/testHooks.js";
import { waitAsync } from "./internal/waitAsync.js";
import { resolveThreadedOptions, type ResolvedThreadedOptions, type ThreadedOptions } from "./ThreadedOptions.js";

/** Something `close()` must release: a file. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * How long a blocked `blockOn` sleeps before it checks that the workers it waits for still
 * exist. A worker that is terminated runs no exit handler and no 'exit' event can be delivered
 * to a blocked thread, so this is how a sync caller learns of such a death.
 */
const LIVENESS_CHECK_MS = 100;

export class ThreadedBackend implements IoBackend {
  readonly name = BACKEND;
  readonly options: ResolvedThreadedOptions;
  readonly #layout: RingLayout;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #arena: BounceArena;
  readonly #shared: SharedBuffers;
  readonly #cancellations: Cancellations;
  readonly #rings: RingWorker[];
  /** Threads that died and were retired; close() waits for them to be gone (their fds with them). */
  #exiting: Promise<unknown>[] = [];
  readonly #waiting = new Fifo<Request>();
  /** Requests submitted and not yet settled: waiting, in a ring, or completed and unprocessed. */
  #outstanding = 0;
  /** Whether the workers are referenced (they are while anything is outstanding). */
  #referenced = false;
  #kickScheduled = false;
  /** True while an Atomics.waitAsync on the completion counter is pending. */
  #armed = false;
  #closed = false;
  #directTransfers = 0;
  /** True once the workers are stopped: nothing can be submitted any more. */
  #stopped = false;
  #closing: Promise<void> | undefined = undefined;
  #idle: (() => void)[] = [];
  readonly #open = new Set<Closable>();
  readonly #kick = (): void => {
    this.#kickScheduled = false;
    this.#flush();
    this.#arm();
  };
  readonly #onWake = (): void => {
    this.#armed = false;
    // Cleared before draining: a completion after this point either is drained below or sees
    // the flag set again by #arm before the next wait.
    Atomics.store(this.#i32, this.#layout.mainWaiting, 0);
    try {
      this.#drain(false);
    } finally {
      this.#flush();
      this.#arm();
    }
  };

  constructor(options?: ThreadedOptions) {
    this.options = resolveThreadedOptions(options);
    const layout = ringLayout(this.options.workers, this.options.ringSlots, this.options.spinMicros);
    const control = new SharedArrayBuffer(layout.byteLength);
    this.#layout = layout;
    this.#i32 = new Int32Array(control);
    this.#f64 = new Float64Array(control);
    this.#arena = new BounceArena(this.options.bounceArenaSize, this.options.bounceSlotSize);
    this.#shared = new SharedBuffers((id) => {
      for (const ring of this.#rings) ring.forget(id);
    });
    this.#cancellations = new Cancellations((request, error) => this.#cancel(request, error));
    const memory: SharedMemory = { layout, control };
    this.#rings = Array.from({ length: this.options.workers }, (_, index) => new RingWorker(memory, this.#i32, index));
  }

  /** True once `close()` was called: no new files or directory operations. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The largest piece a transfer through a non-shared buffer is split into. */
  get bounceSlotSize(): number {
    return this.#arena.slotSize;
  }

  /** Requests submitted and not yet settled. */
  get inFlight(): number {
    return this.#outstanding;
  }

  /** Transfers served by `transferNow` on the calling thread. */
  get directTransfers(): number {
    return this.#directTransfers;
  }

  /**
   * A blocking transfer of the whole buffer on the calling thread (the sync helpers' fast path,
   * `directSync`), or undefined while requests are in flight: a caller blocking then drives them.
   */
  transferNow(fd: number, bytes: Uint8Array, pos: number, reading: boolean): BlockingResult | undefined {
    if (!this.options.directSync || this.#outstanding > 0 || this.#closed) return undefined;
    this.#directTransfers++;
    return blockingTransfer(fd, pos, bytes, reading);
  }

  pollingHandle(): PollingHandle | null {
    // Completions arrive through a futex word, not an fd a foreign loop could watch.
    return null;
  }

  /** Remembers an open file so that `close()` can release it; returns a function that forgets it. */
  track(handle: Closable): () => void {
    if (this.#closed) throw new IoError("Closed", "the threaded runtime is closed", { op: "open", backend: BACKEND });
    this.#open.add(handle);
    return () => this.#open.delete(handle);
  }

  /**
   * Hands a request to a worker, or queues it (in order) when every ring is full or no bounce
   * slot is free. The owner is told on the main thread, never inside this call unless the
   * runtime is already stopped.
   */
  submit(request: Request): void {
    if (request.op === Op.Close && this.#closed) {
      // From close() on, fds are closed here: a worker may be stuck for good (close() then
      // abandons it), and a close queued behind it would leak the fd.
      this.#outstanding++;
      this.#closeHere(request);
      queueMicrotask(() => {
        this.#settle(request);
        this.#afterSettle();
      });
      return;
    }
    if (this.#stopped) {
      request.lost = new IoError("Closed", "the threaded runtime is closed", { op: opName(request), backend: BACKEND });
      request.settled = true;
      request.owner.requestDone(request);
      return;
    }
    this.#outstanding++;
    if (request.view !== undefined) this.#cancellations.watch(request);
    this.#pruneWaiting();
    if (this.#waiting.length > 0 || !this.#dispatch(request)) this.#waiting.push(request);
    if (!this.#referenced) this.#reference(true);
    if (!this.#kickScheduled) {
      this.#kickScheduled = true;
      queueMicrotask(this.#kick);
    }
  }

  /** Resolves once no request is outstanding (now, if none is). */
  idle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Cancels a request no worker has taken: it fails with `error` now, and its entry, if it has
   * one, is passed over by the worker. One a worker has taken completes as usual.
   */
  #cancel(request: Request, error: IoError): boolean {
    if (request.settled) return false;
    if (request.entry >= 0) {
      if (Atomics.compareExchange(this.#i32, request.entry + this.#layout.claim, Claim.Queued, Claim.Cancelled) !== Claim.Queued) return false;
      // The worker will never touch this entry's buffer: the slot is free again.
      this.#releaseSlot(request);
    }
    // A request still waiting on the main thread is dropped from the queue when it reaches the head.
    request.lost = error;
    this.#settle(request);
    this.#dispatchWaiting();
    this.#afterSettle();
    this.#flush();
    this.#arm();
    return true;
  }

  /** Closes a request's fd on this thread (close() has begun); the outcome is filled in as a worker would. */
  #closeHere(request: Request): void {
    try {
      closeSync(request.fd);
    } catch (error) {
      const errno = (error as { errno?: unknown }).errno;
      request.errno = typeof errno === "number" && errno !== 0 ? Math.abs(errno) : -1;
    }
  }

  /** Submits a request without a buffer and resolves with it once settled. */
  perform(op: OpCode, fd: number, position: number, meta?: MetaRequest): Promise<Request> {
    const completion = new Completion();
    this.submit(new Request(op, fd, position, 0, undefined, meta, completion));
    return completion.promise();
  }

  /** Submits a request without a buffer and blocks until it is settled. */
  performSync(op: OpCode, fd: number, position: number, meta?: MetaRequest): Request {
    const completion = new Completion();
    this.submit(new Request(op, fd, position, 0, undefined, meta, completion));
    this.blockOn(() => completion.done);
    return completion.request as Request;
  }

  readonly #syncScope = new SyncScope();

  /** True inside `submitSync`: a target whose transfers cannot block (a FIFO's pipe) says so. */
  get inSyncScope(): boolean {
    return this.#syncScope.active;
  }

  /** Runs `submit` (ioSync's send) in the sync scope; the workers' transfers then go as usual. */
  submitSync(submit: () => void): void {
    this.#syncScope.run(submit);
  }

  /**
   * Drives completions on this thread until `isDone()`: publishes pending wake-ups, settles
   * what has completed, and sleeps in Atomics.wait on the completion counter in between. No
   * event-loop turn is needed, so it works in a tight loop and inside any callback.
   */
  blockOn(isDone: () => boolean): void {
    const i32 = this.#i32;
    const layout = this.#layout;
    let checkThreads = false;
    while (!isDone()) {
      this.#flush();
      if (this.#drain(checkThreads) > 0) {
        checkThreads = false;
        continue;
      }
      if (isDone()) break;
      if (this.#outstanding === 0) {
        throw new IoError("Busy", "blockOn: nothing is in flight on the threaded backend, so what it waits for cannot settle", { op: "blockOn", backend: BACKEND });
      }
      if (this.options.spinMicros > 0 && this.#spin()) continue;
      // The same handshake as the async wait (#arm): announce, read the counter, look once more.
      Atomics.store(i32, layout.mainWaiting, 1);
      const seen = Atomics.load(i32, layout.completions);
      if (this.#anyCompleted()) continue;
      checkThreads = Atomics.wait(i32, layout.completions, seen, LIVENESS_CHECK_MS) === "timed-out";
    }
    // Only the main thread clears MAIN_WAITING, and not under a pending async wait, which
    // needs it. Async work may still be in flight; its wait must be armed for the event loop.
    if (!this.#armed) Atomics.store(i32, layout.mainWaiting, 0);
    this.#flush();
    this.#arm();
  }

  /** Polls the rings for up to `spinMicros`; true when something completed meanwhile. */
  #spin(): boolean {
    const until = performance.now() + this.options.spinMicros / 1000;
    do if (this.#anyCompleted()) return true;
    while (performance.now() < until);
    return false;
  }

  /**
   * Cancels every request no worker has taken yet (kind Closed), closes every open file (each
   * waits for its I/O still inside a worker), waits for the rest, stops the workers and drops the
   * bounce arena. A worker still inside one call `closeTimeoutMs` later is stuck (a FIFO without
   * a writer, a hung mount): it is terminated and abandoned and its requests fail with kind
   * Closed, so close() resolves in bounded time. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.#shutdown();
    }
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#cancelUntaken();
    const files = Promise.allSettled([...this.#open].map((handle) => handle.close()));
    for (;;) {
      if (this.#outstanding > 0 && (await this.#idleWithin(this.options.closeTimeoutMs)) === "expired") {
        this.#abandonStuck();
        // And whatever was submitted since close() began and no worker took (none may be left).
        this.#cancelUntaken();
      }
      // One macrotask lets promise chains finish that end in a new request, such as an open
      // that completed after close() began and must close its fd.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#outstanding === 0) break;
    }
    const results = await files;
    this.#stopped = true;
    await Promise.all([...this.#rings.map((ring) => ring.stop()), ...this.#exiting]);
    this.#exiting = [];
    this.#arena.clear();
    const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** Waits until nothing is outstanding, or `ms` pass. */
  async #idleWithin(ms: number): Promise<"idle" | "expired"> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), ms)));
    try {
      return await Promise.race([this.idle().then(() => "idle" as const), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** close(): fails every request no worker has taken with kind Closed; queued fd closes are made here instead. */
  #cancelUntaken(): void {
    const untaken: Request[] = [];
    for (const request of this.#waiting.drain()) if (!request.settled) untaken.push(request);
    for (const ring of this.#rings) {
      for (let position = ring.consumed; position !== ring.tail; position = (position + 1) | 0) {
        const request = ring.records[position & ring.mask] as Request;
        if (!request.settled && Atomics.compareExchange(this.#i32, request.entry + this.#layout.claim, Claim.Queued, Claim.Cancelled) === Claim.Queued) {
          this.#releaseSlot(request);
          untaken.push(request);
        }
      }
    }
    for (const request of untaken) {
      if (request.op === Op.Close) this.#closeHere(request);
      else request.lost = new IoError("Closed", `${opName(request)}: the threaded runtime was closed before a worker started this request`, { op: opName(request), backend: BACKEND });
      this.#settle(request);
    }
    this.#afterSettle();
  }

  /**
   * close(): gives up on workers still inside a call after the grace period. Such a thread
   * cannot be interrupted (terminate() takes effect once its syscall returns, if ever), so it is
   * terminated and forgotten, its ring is never used again (the thread could still store its
   * HEAD), and its requests fail with kind Closed. The buffer of a bounced request is the
   * arena's, so the caller's memory is never written; a shared buffer may still receive the
   * bytes of that one call if it ever returns.
   */
  #abandonStuck(): void {
    this.#drain(true);
    const lost: Request[] = [];
    for (const ring of this.#rings) {
      if (!ring.running || ring.load === 0) continue;
      ring.abandon();
      for (let position = ring.consumed; position !== ring.tail; position = (position + 1) | 0) {
        const request = this.#take(ring, position);
        if (request.settled) continue;
        const op = opName(request);
        if (request.op === Op.Close) this.#closeHere(request);
        else request.lost = new IoError("Closed", `${op}: the threaded runtime was closed while worker thread ${ring.index} was stuck in this call; the thread was terminated`, { op, backend: BACKEND });
        lost.push(request);
      }
      ring.consumed = ring.tail;
    }
    for (const request of lost) {
      // Never copied out: the arena slot may still be written by the stuck call, and is not reused.
      request.bounceSlot = -1;
      this.#settle(request);
    }
    this.#dispatchWaiting();
    this.#afterSettle();
  }

  // ---- dispatch ----

  /** Writes a request into a ring; false when it has to wait (no ring space or bounce slot). */
  #dispatch(request: Request): boolean {
    const ring = request.pinned >= 0 ? this.#rings[request.pinned] : request.stream ? this.#streamRing() : this.#leastLoaded();
    if (ring === undefined || ring.abandoned || ring.load >= this.#layout.ringSlots) return false;
    const bytes = request.bytes;
    let bufferId = BUFFER_NONE;
    let offset = 0;
    if (bytes !== undefined) {
      if (bytes.buffer instanceof SharedArrayBuffer) {
        request.shared = bytes.buffer;
        offset = bytes.byteOffset;
      } else if (bytes.byteLength !== request.length) {
        // Detached (transferred away) after the packet was bound: a write would copy nothing
        // and write whatever the slot held before.
        const op = opName(request);
        request.lost = new IoError("InvalidInput", `${op}: the buffer was detached before the ${op} was submitted`, { op, backend: BACKEND });
        request.settled = true;
        queueMicrotask(() => this.#settleDetached(request));
        return true;
      } else {
        const slot = this.#arena.acquire();
        if (slot < 0) return false;
        request.bounceSlot = slot;
        if (request.op === Op.Write) this.#arena.bytes(slot, request.length).set(bytes);
        const chunk = this.#arena.chunkOf(slot);
        request.shared = chunk.buffer as SharedArrayBuffer;
        offset = this.#arena.offsetOf(slot);
      }
      bufferId = this.#shared.idOf(request.shared);
    }
    request.bufferId = bufferId;
    if (!ring.running) this.#start(ring);
    this.#announce(ring, request);
    const position = ring.tail;
    const entry = ring.entry(position);
    const i32 = this.#i32;
    const layout = this.#layout;
    i32[entry + layout.op] = request.op;
    i32[entry + layout.fd] = request.fd;
    i32[entry + layout.length] = request.length;
    i32[entry + layout.buffer] = bufferId;
    i32[entry + layout.claim] = Claim.Queued;
    request.entry = entry;
    this.#f64[(entry >> 1) + layout.position] = request.position;
    this.#f64[(entry >> 1) + layout.offset] = offset;
    ring.records[position & ring.mask] = request;
    if (isSlow(request.op) || request.stream) ring.slow++;
    ring.tail = (position + 1) | 0;
    // Publishes the words above; the worker reads them after its Atomics.load of TAIL.
    Atomics.store(i32, ring.TAIL, ring.tail);
    ring.unflushed = true;
    return true;
  }

  /** Sends a worker what must reach it through its port before the entry is published. */
  #announce(ring: RingWorker, request: Request): void {
    if (request.bufferId >= FIRST_SHARED_ID) ring.share(request.bufferId, request.shared as SharedArrayBuffer);
    if (request.meta !== undefined) ring.post({ t: "meta", request: request.meta });
  }

  /**
   * The ring with the fewest requests; ties go to the lowest index, so light use wakes one
   * thread. A ring with a slow call pending (fsync, truncate, a path operation) counts as full:
   * a worker performs its ring in order, so whatever is queued behind such a call waits for it.
   * (On this VM's disk an fsync takes 2–5 ms and the gain was small: p99 of 4 KiB reads at 64 in
   * flight next to a write+fsync loop, 2 workers, 6–10 ms without this and 5–8 ms with it; on a
   * disk under writeback pressure an fsync can take seconds.)
   */
  #leastLoaded(): RingWorker | undefined {
    let best: RingWorker | undefined;
    let bestScore = Infinity;
    for (const ring of this.#rings) {
      if (ring.abandoned) continue;
      const score = ring.load + ring.slow * this.#layout.ringSlots;
      if (score < bestScore) {
        best = ring;
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * The ring of every FIFO's and device's transfers: the last one still running. A blocked FIFO
   * read then holds one worker, and counts as slow there, so that regular files' requests go to
   * the others (with one worker there is no other: docs/threaded.md).
   */
  #streamRing(): RingWorker | undefined {
    for (let index = this.#rings.length - 1; index >= 0; index--) {
      const ring = this.#rings[index] as RingWorker;
      if (!ring.abandoned) return ring;
    }
    return undefined;
  }

  #dispatchWaiting(): void {
    this.#pruneWaiting();
    while (this.#waiting.length > 0 && this.#dispatch(this.#waiting.peek() as Request)) {
      this.#waiting.shift();
      this.#pruneWaiting();
    }
  }

  /** Drops requests cancelled while waiting from the head of the queue. */
  #pruneWaiting(): void {
    while (this.#waiting.length > 0 && (this.#waiting.peek() as Request).settled) this.#waiting.shift();
  }

  /** Settles a request found detached at dispatch (marked settled there, so nothing else does). */
  #settleDetached(request: Request): void {
    request.settled = false;
    this.#settle(request);
    this.#afterSettle();
  }

  /** Wakes every worker that was given entries since it was last woken. */
  #flush(): void {
    for (const ring of this.#rings) ring.flush();
  }

  #reference(on: boolean): void {
    this.#referenced = on;
    for (const ring of this.#rings) ring.setRef(on);
  }

  // ---- completions ----

  /**
   * Arms the asynchronous wait for completions while anything is outstanding. The handshake
   * with the workers: set MAIN_WAITING, read COMPLETIONS, check the rings once more, then wait
   * for COMPLETIONS to move. A worker stores HEAD and adds to COMPLETIONS before it reads
   * MAIN_WAITING, so a completion either shows up in the check, or changes COMPLETIONS before
   * the wait compares it, or finds the flag set and notifies the registered wait.
   */
  #arm(): void {
    if (this.#armed || this.#outstanding === 0) return;
    const i32 = this.#i32;
    const layout = this.#layout;
    this.#armed = true;
    Atomics.store(i32, layout.mainWaiting, 1);
    const seen = Atomics.load(i32, layout.completions);
    if (this.#anyCompleted()) {
      queueMicrotask(this.#onWake);
      return;
    }
    // A pending waitAsync does not keep the event loop alive; the referenced workers do.
    const wait = (waitAsync as NonNullable<typeof waitAsync>)(i32, layout.completions, seen);
    if (wait.async) void wait.value.then(this.#onWake);
    else queueMicrotask(this.#onWake);
  }

  #anyCompleted(): boolean {
    for (const ring of this.#rings) {
      if (ring.consumed !== Atomics.load(this.#i32, ring.HEAD) || ring.isGone(false)) return true;
    }
    return false;
  }

  /**
   * Settles every completed entry of every ring, reaps dead workers (`checkThreads` also looks
   * in /proc for terminated ones), then fills the rings from the waiting queue. Returns how many
   * requests were settled. Re-entrant: an owner may submit, or block, from its callback.
   */
  #drain(checkThreads: boolean): number {
    let settled = 0;
    for (const ring of this.#rings) {
      // HEAD is read afresh each time: an owner's callback may have drained this ring already.
      while (ring.consumed !== Atomics.load(this.#i32, ring.HEAD)) {
        this.#settle(this.#complete(ring));
        settled++;
      }
      if (ring.running && ring.isGone(checkThreads && ring.load > 0)) settled += this.#reap(ring, "exited");
    }
    if (settled > 0) {
      this.#dispatchWaiting();
      this.#afterSettle();
    }
    return settled;
  }

  /** Consumes the oldest completed entry of a ring and returns its request with the outcome filled in. */
  #complete(ring: RingWorker): Request {
    const i32 = this.#i32;
    const position = ring.consumed;
    ring.consumed = (position + 1) | 0;
    const request = this.#take(ring, position);
    const entry = ring.entry(position);
    // A cancelled Meta entry still has its reply (the worker keeps the port's order): take it.
    if (request.meta !== undefined) request.reply = ring.takeReply();
    if (request.settled) return request; // cancelled: the worker passed over it
    request.result = i32[entry + this.#layout.result] as number;
    request.errno = i32[entry + this.#layout.errno] as number;
    if (request.bounceSlot >= 0 && request.op === Op.Read && request.result > 0) {
      const bytes = request.bytes as Uint8Array;
      // The caller may have transferred its buffer away meanwhile (structuredClone, postMessage):
      // the piece fails; throwing here would leave the runtime wedged.
      if (bytes.byteLength < request.result) request.lost = new IoError("InvalidInput", "read: the buffer was detached while the read was in flight", { op: "read", backend: BACKEND });
      else bytes.set(this.#arena.bytes(request.bounceSlot, request.result));
    }
    this.#releaseSlot(request);
    return request;
  }

  #take(ring: RingWorker, position: number): Request {
    const index = position & ring.mask;
    const request = ring.records[index] as Request;
    ring.records[index] = undefined;
    if (isSlow(request.op) || request.stream) ring.slow--;
    return request;
  }

  #releaseSlot(request: Request): void {
    if (request.bounceSlot < 0) return;
    this.#arena.release(request.bounceSlot);
    request.bounceSlot = -1;
  }

  /** Tells the owner, once: a cancelled request's completion, or a second death report, is ignored. */
  #settle(request: Request): void {
    if (request.settled) return;
    request.settled = true;
    this.#outstanding--;
    this.#cancellations.unwatch(request);
    request.owner.requestDone(request);
  }

  /** After a batch: unreference idle workers, wake close() when nothing is left. */
  #afterSettle(): void {
    if (this.#outstanding > 0) return;
    if (this.#referenced) this.#reference(false);
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  // ---- worker lifecycle ----

  #start(ring: RingWorker): void {
    ring.exitNote = "";
    ring.start(this.#referenced, (code, error) => this.#onExit(ring, code, error));
  }

  /** A worker ended on its own, seen from the event loop. */
  #onExit(ring: RingWorker, code: number, error: unknown): void {
    const cause = error instanceof Error ? `: ${error.message}` : "";
    if (this.#reap(ring, `exited with code ${code}${cause}`) > 0) this.#dispatchWaiting();
    this.#afterSettle();
    this.#flush();
    this.#arm();
  }

  /**
   * Handles the death of a ring's worker. Its completed entries are settled as usual. The entry
   * it was performing (STARTED == HEAD) fails with kind Aborted; a worker that died before
   * reaching its loop fails every entry of its ring instead, since a replacement would likely
   * die the same way. Entries it had not started go to a replacement on the same ring. Owners
   * are told only once the ring is consistent again, so their callbacks may use it. Returns how
   * many requests were settled.
   */
  #reap(ring: RingWorker, how: string): number {
    if (!ring.running) return 0;
    const i32 = this.#i32;
    const started = ring.started;
    const note = ring.exitNote !== "" ? ring.exitNote : how;
    const done: Request[] = [];
    // The dead thread no longer moves HEAD; the replies of its finished entries are on the old port.
    while (ring.consumed !== Atomics.load(i32, ring.HEAD)) done.push(this.#complete(ring));
    // The thread has ended or is ending on its own (exit handler, or gone from /proc): close()
    // waits for it, so that its event loop's fds are closed when close() resolves.
    this.#exiting.push(ring.retire());
    const interrupted = started && ring.consumed !== ring.tail && Atomics.load(i32, ring.STARTED) === ring.consumed;
    const lost = started ? (interrupted ? 1 : 0) : ring.load;
    for (let i = 0; i < lost; i++) {
      const position = ring.consumed;
      ring.consumed = (position + 1) | 0;
      // No thread serves the ring now, so the main thread may move HEAD itself.
      Atomics.store(i32, ring.HEAD, ring.consumed);
      const request = this.#take(ring, position);
      this.#releaseSlot(request);
      const op = opName(request);
      const during = started ? "while performing this request" : "before it could start";
      request.lost = new IoError("Aborted", `${op}: worker thread ${ring.index} of the threaded backend ${note} ${during}; it is replaced`, { op, backend: BACKEND });
      done.push(request);
    }
    if (ring.load > 0 && !this.#stopped) {
      this.#start(ring);
      // The new thread has an empty port: send again what the remaining entries need, in order.
      for (let position = ring.consumed; position !== ring.tail; position = (position + 1) | 0) {
        this.#announce(ring, ring.records[position & ring.mask] as Request);
      }
      ring.unflushed = true;
    }
    for (const request of done) this.#settle(request);
    return done.length;
  }

  /** Test hooks; reachable only through the internal symbol (the package's tests import it from src). */
  [testHooks](): TestHooks {
    return {
      exitWorker: (index, code) => {
        const completion = new Completion();
        this.submit(new Request(Op.ExitForTest, 0, 0, code, undefined, undefined, completion, undefined, index));
        return completion.promise();
      },
      terminateWorker: async (index) => {
        const ring = this.#rings[index];
        if (ring === undefined || !ring.running) throw new Error(`worker ${index} is not running`);
        ring.exitNote = "was terminated";
        await ring.terminateForTest();
      },
      whenInCall: async (index) => {
        const ring = this.#rings[index];
        if (ring === undefined) throw new Error(`no ring ${index}`);
        const inCall = (): boolean => {
          const head = Atomics.load(this.#i32, ring.HEAD);
          return ring.load > 0 && Atomics.load(this.#i32, ring.STARTED) === head && Atomics.load(this.#i32, ring.entry(head) + this.#layout.claim) === Claim.Taken;
        };
        while (!inCall()) await new Promise((resolve) => setImmediate(resolve));
      },
      blockingOpen: async (path) => {
        const request = await this.perform(Op.Meta, -1, 0, { op: "open", path, flags: 0 /* O_RDONLY */, mode: 0o666, root: undefined });
        if (request.lost !== undefined) throw request.lost;
        if (request.reply?.ok !== true) throw new Error(`blockingOpen: ${JSON.stringify(request.reply)}`);
        return request.reply.value as number;
      },
      threadIds: () => this.#rings.map((ring) => ring.threadId),
      unjoinedThreads: () => this.#rings.reduce((sum, ring) => sum + ring.unjoinedThreads, 0),
      state: () => ({
        outstanding: this.#outstanding,
        waiting: this.#waiting.length,
        armed: this.#armed,
        referenced: this.#referenced,
        freeBounceSlots: this.#arena.available,
        bounceBytes: this.#arena.allocatedBytes,
        completions: Atomics.load(this.#i32, this.#layout.completions),
        mainWaiting: Atomics.load(this.#i32, this.#layout.mainWaiting),
        rings: this.#rings.map((ring) => ({
          running: ring.running,
          tail: ring.tail,
          consumed: ring.consumed,
          head: Atomics.load(this.#i32, ring.HEAD),
          sleeping: Atomics.load(this.#i32, ring.SLEEPING),
          state: Atomics.load(this.#i32, ring.STATE),
        })),
      }),
    };
  }
}

/** Calls that may take milliseconds even on a page-cached file; requests avoid queueing behind them. */
function isSlow(op: OpCode): boolean {
  return op === Op.Fsync || op === Op.Truncate || op === Op.Meta;
}

/** The operation a request performs, as error messages name it. */
function opName(request: Request): string {
  switch (request.op) {
    case Op.Read:
      return "read";
    case Op.Write:
      return "write";
    case Op.Fsync:
      return "sync";
    case Op.Truncate:
      return "truncate";
    case Op.Close:
      return "close";
    case Op.Meta:
      return request.meta?.op ?? "metadata";
    case Op.ExitForTest:
      return "exitForTest";
  }
}

