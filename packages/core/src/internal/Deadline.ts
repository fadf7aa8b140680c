/**
 * The abort/deadline watcher of one bound packet: one AbortSignal that fires when the caller's
 * signal does or when `timeoutMs` passes, and a callback that settles the caller's side early.
 * Made only for I/O that has a signal or a timeout; the common path costs nothing.
 */
import { IoError } from "../IoError.js";
import { abortError, type IoOptions } from "../IoOptions.js";

/**
 * One listener per caller signal however many packets share it, so that one `abort()` wakes them
 * in one pass and Node warns of no listener leak (a signal shared by 20k reads is common).
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

function watch(signal: AbortSignal, onAbort: () => void): void {
  let set = watchers.get(signal);
  if (set === undefined) {
    const waiting = new Set<() => void>();
    set = waiting;
    watchers.set(signal, waiting);
    signal.addEventListener("abort", () => {
      watchers.delete(signal);
      for (const wake of waiting) wake();
    }, { once: true });
  }
  set.add(onAbort);
}

export class Deadline {
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  readonly #onAbort: () => void;

  /** `expire(error)` runs once, after the combined signal has fired, unless `dispose` came first. */
  constructor(options: IoOptions, op: string, backend: string | undefined, expire: (error: IoError) => void) {
    const signal = options.signal;
    this.#callerSignal = signal;
    const fire = (error: IoError): void => {
      if (this.#controller.signal.aborted) return;
      this.dispose();
      // Abort first: a backend listening on the signal may drop or cancel its pieces at once.
      this.#controller.abort(error);
      expire(error);
    };
    this.#onAbort = () => fire(abortError(signal as AbortSignal, op, backend));
    if (signal?.aborted === true) {
      // Already fired: backends refuse to start the pieces; nothing is out to settle early.
      this.#controller.abort(signal.reason);
      return;
    }
    if (signal !== undefined) watch(signal, this.#onAbort);
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined) {
      const where = backend === undefined ? { op } : { op, backend };
      this.#timer = setTimeout(() => fire(new IoError("TimedOut", `${op} did not complete within ${timeoutMs} ms`, where)), timeoutMs);
    }
  }

  /** Fires when the caller's signal does or the deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops watching: the I/O is over (or the deadline fired). */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#callerSignal !== undefined) watchers.get(this.#callerSignal)?.delete(this.#onAbort);
  }
}
