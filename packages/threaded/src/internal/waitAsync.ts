/**
 * `Atomics.waitAsync`, typed: Node 20 has it (V8 ≥ 8.7), but the ES2023 lib this project
 * compiles against does not declare it yet. Undefined where the runtime lacks it.
 */
export type WaitAsyncResult = { readonly async: false; readonly value: "not-equal" | "timed-out" } | { readonly async: true; readonly value: Promise<"ok" | "timed-out"> };

export const waitAsync: ((array: Int32Array, index: number, value: number, timeout?: number) => WaitAsyncResult) | undefined = (
  Atomics as unknown as { waitAsync?: (array: Int32Array, index: number, value: number, timeout?: number) => WaitAsyncResult }
).waitAsync;
