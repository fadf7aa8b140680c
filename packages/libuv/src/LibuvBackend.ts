/**
 * The libuv backend's driver: slots per path (each open file has its own limit and queue) under
 * a runtime-wide cap with an order-keeping queue beyond it, the sync-submission scope that turns
 * `*Sync` helpers into blocking calls, and the registry of open handles that `close()` drains.
 */
import { z } from "zod";
import { IoError, type IoBackend, type PollingHandle } from "@pktio/core";
import { Fifo, parseOptions, pathSlotOptions, PathSlots, SyncScope } from "@pktio/core/backend";
import { BouncePool } from "./internal/BouncePool.js";

export const LibuvOptions = z.strictObject({
  /**
   * Operations on regular files handed to libuv at once, across the runtime; more wait in order.
   * libuv's pool has 4 threads by default. Operations on FIFOs and devices do not count here.
   */
  maxInFlight: z.number().int().min(1).max(65_536).default(128),
  /**
   * `maxInFlightPerFile` (64) and `maxInFlightPerStream` (2), shared with uring: a FIFO's or
   * device's operation may block a libuv pool thread until data comes, so such a path gets 2.
   */
  ...pathSlotOptions,
  /** How long a close waits for a file's operations before it answers them Closed, in ms. */
  closeGraceMs: z.number().int().min(0).max(600_000).default(1000),
});
export type LibuvOptions = z.input<typeof LibuvOptions>;

/** Something `close()` must release: a file or a socket. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * One operation: starts it, and calls `done` exactly once when libuv completes it.
 * `runtimeSlot` says whether it holds one of the runtime's slots (a regular file's operation).
 */
export type Operation = (done: () => void, runtimeSlot: boolean) => void;

/** The slots of one libuv file (design.md §8). */
export type LibuvPathSlots = PathSlots<Operation>;

export class LibuvBackend implements IoBackend {
  readonly name = "libuv";
  /** @internal Memory of the backend's own for file transfers of buffers a caller could detach (see BouncePool). */
  readonly bounce = new BouncePool();
  readonly maxInFlight: number;
  readonly maxInFlightPerFile: number;
  readonly maxInFlightPerStream: number;
  #inFlight = 0;
  #waiting: Operation[] = [];
  #waitingHead = 0;
  readonly #syncScope = new SyncScope();
  readonly #pathsToDrain = new Fifo<LibuvPathSlots>();
  #drainingPaths = false;
  #startingWaiting = false;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;
  readonly #open = new Set<Closable>();
  readonly #finish = (): void => {
    this.#inFlight--;
    this.#startWaiting();
  };

  readonly closeGraceMs: number;

  constructor(options?: LibuvOptions) {
    const parsed = parseOptions(LibuvOptions, options, "libuv options");
    this.maxInFlight = parsed.maxInFlight;
    this.maxInFlightPerFile = parsed.maxInFlightPerFile;
    this.maxInFlightPerStream = parsed.maxInFlightPerStream;
    this.closeGraceMs = parsed.closeGraceMs;
  }

  /** Resolves true when `done` settles within closeGraceMs, else false. */
  within(done: Promise<void>): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, this.closeGraceMs, false)));
    return Promise.race([done.then(() => true), expired]).finally(() => clearTimeout(timer));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Operations handed to libuv and not yet completed. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** True inside `submitSync`: targets must complete packets with blocking calls. */
  get inSyncScope(): boolean {
    return this.#syncScope.active;
  }

  /** The slots of a newly opened file. */
  pathSlots(): LibuvPathSlots {
    return new PathSlots<Operation>(this.maxInFlightPerFile, this.maxInFlightPerStream);
  }

  /**
   * Starts `operation` when its path has a free slot and (for a regular file) the runtime does,
   * after the operations of the same path queued before it; without a path, under the runtime
   * cap only.
   */
  schedule(operation: Operation, path?: LibuvPathSlots): void {
    if (path === undefined) return this.#scheduleRuntime(operation);
    if (!path.hasRoom) return path.waiting.push(operation);
    this.#startOnPath(operation, path);
  }

  #startOnPath(operation: Operation, path: LibuvPathSlots): void {
    path.inFlight++;
    const onPath: Operation = (releaseRuntime, runtimeSlot) =>
      operation(() => {
        releaseRuntime();
        path.inFlight--;
        this.#drainPath(path);
      }, runtimeSlot);
    if (path.stream) onPath(noop, false);
    else this.#scheduleRuntime(onPath);
  }

  /**
   * Starts what waits on `path` while it has free slots. A loop, never recursion: operations that
   * finish at once (dropped after an abort) would otherwise nest one frame set per queued
   * operation (2048 aborted reads overflowed the stack).
   */
  #drainPath(path: LibuvPathSlots): void {
    this.#pathsToDrain.push(path);
    if (this.#drainingPaths) return;
    this.#drainingPaths = true;
    try {
      for (let next = this.#pathsToDrain.shift(); next !== undefined; next = this.#pathsToDrain.shift()) {
        for (let waiting = next.waiting.peek(); waiting !== undefined && next.inFlight < next.limit; waiting = next.waiting.peek()) {
          next.waiting.shift();
          this.#startOnPath(waiting, next);
        }
      }
    } finally {
      this.#drainingPaths = false;
    }
  }

  #scheduleRuntime(operation: Operation): void {
    if (this.#inFlight < this.maxInFlight && this.#waitingHead === this.#waiting.length) {
      this.#inFlight++;
      operation(this.#finish, true);
    } else {
      this.#waiting.push(operation);
    }
  }

  submitSync(submit: () => void): void {
    this.#syncScope.run(submit);
  }

  pollingHandle(): PollingHandle | null {
    // libuv's own loop completes everything; there is no fd for a foreign loop to watch.
    return null;
  }

  /** Remembers an open handle so that `close()` can release it; returns a function that forgets it. */
  track(handle: Closable): () => void {
    if (this.#closed) throw new IoError("Closed", "the libuv runtime is closed", { op: "open", backend: this.name });
    this.#open.add(handle);
    return () => this.#open.delete(handle);
  }

  /** Closes every open file and socket (each waits for its I/O in flight). Idempotent. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = Promise.all([...this.#open].map((handle) => handle.close())).then(() => undefined);
    }
    return this.#closing;
  }

  #startWaiting(): void {
    // The outer call's loop goes on when a started operation finishes at once (no recursion).
    if (this.#startingWaiting) return;
    this.#startingWaiting = true;
    try {
      this.#startWaitingLoop();
    } finally {
      this.#startingWaiting = false;
    }
  }

  #startWaitingLoop(): void {
    while (this.#inFlight < this.maxInFlight && this.#waitingHead < this.#waiting.length) {
      const operation = this.#waiting[this.#waitingHead++] as Operation;
      if (this.#waitingHead === this.#waiting.length) {
        this.#waiting = [];
        this.#waitingHead = 0;
      }
      this.#inFlight++;
      operation(this.#finish, true);
    }
  }
}

const noop = (): void => undefined;
