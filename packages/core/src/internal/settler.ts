/**
 * A promise settled from an object's methods, without a closure per call: the object gets the
 * promise's functions from a module-level executor. One-request helpers use it with thousands of
 * calls in flight, where every closure (and, under keepNames, its `__name` call) per operation is
 * garbage or work on the hot path (issue 15: the collector took 30 % of the thread).
 */

/** Holds the resolve and reject of the promise `promiseOf` made for it. */
export class Settler<T> {
  /** Resolves the promise of `promiseOf(this)`. */
  resolve: (value: T) => void = ignore;
  /** Rejects the promise of `promiseOf(this)`. */
  reject: (error: unknown) => void = ignore;
}

function ignore(): void {}

/** The settler `capture` hands the promise's functions to: set right before `new Promise` runs it, synchronously. */
let capturing: Settler<unknown> | undefined;

function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  const settler = capturing as Settler<unknown>;
  capturing = undefined;
  settler.resolve = resolve;
  settler.reject = reject;
}

/** A new promise whose functions `settler` holds from now on. */
export function promiseOf<T>(settler: Settler<T>): Promise<T> {
  capturing = settler as Settler<unknown>;
  return new Promise<T>(capture as (resolve: (value: T) => void, reject: (error: unknown) => void) => void);
}
