/**
 * The libuv backend's driver: a cap on file operations in flight with an order-keeping queue
 * beyond it, the sync-submission scope that turns `*Sync` helpers into blocking calls, and the
 * registry of open handles that `close()` drains.
 */
import { z } from "zod";
import { IoError, type IoBackend, type PollingHandle } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";

export const LibuvOptions = z.strictObject({
  /** File operations handed to libuv at once; more wait in order. libuv's pool has 4 threads by default. */
  maxInFlight: z.number().int().min(1).max(65_536).default(128),
  /** How long a close waits for a file's operations before it answers them Closed, in ms. */
  closeGraceMs: z.number().int().min(0).max(600_000).default(1000),
});
export type LibuvOptions = z.input<typeof LibuvOptions>;

/** Something `close()` must release: a file or a socket. */
export interface Closable {
  close(): Promise<void>;
}

/** One file operation: starts it, and calls `done` exactly once when libuv completes it. */
export type Operation = (done: () => void) => void;

export class LibuvBackend implements IoBackend {
  readonly name = "libuv";
  readonly maxInFlight: number;
  #inFlight = 0;
  #waiting: Operation[] = [];
  #waitingHead = 0;
  #syncDepth = 0;
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
    return this.#syncDepth > 0;
  }

  /** Starts `operation` now if under the cap, else after the operations queued before it. */
  schedule(operation: Operation): void {
    if (this.#inFlight < this.maxInFlight && this.#waitingHead === this.#waiting.length) {
      this.#inFlight++;
      operation(this.#finish);
    } else {
      this.#waiting.push(operation);
    }
  }

  submitSync(submit: () => void): void {
    this.#syncDepth++;
    try {
      submit();
    } finally {
      this.#syncDepth--;
    }
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
    while (this.#inFlight < this.maxInFlight && this.#waitingHead < this.#waiting.length) {
      const operation = this.#waiting[this.#waitingHead++] as Operation;
      if (this.#waitingHead === this.#waiting.length) {
        this.#waiting = [];
        this.#waitingHead = 0;
      }
      this.#inFlight++;
      operation(this.#finish);
    }
  }
}
