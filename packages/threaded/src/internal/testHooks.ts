/**
 * Hidden test hooks of the threaded backend: kill a worker on purpose and watch it be replaced.
 * The symbol is not exported from the package (`./internal/*` is closed in the exports map);
 * the package's own tests import it from the sources.
 */
import type { Request } from "./Request.js";

export const testHooks: unique symbol = Symbol("pktio.threaded.testHooks");

export interface TestHooks {
  /** Makes worker `index` call process.exit(code) while performing a request; resolves with that request. */
  exitWorker(index: number, code: number): Promise<Request>;
  /** Terminates worker `index` from outside (no exit handler runs in it); resolves once it has ended. */
  terminateWorker(index: number): Promise<void>;
  /**
   * Resolves once worker `index` is inside a call (it has taken the entry at its ring's head), as
   * seen by polling once per event-loop turn; lets a test make a call stuck before it closes.
   */
  whenInCall(index: number): Promise<void>;
  /**
   * A blocking open(2) of `path` read-only in a worker, as the backend made before it opened a
   * FIFO O_NONBLOCK: on a FIFO without a writer the worker stays inside the call until one comes,
   * which is how a test gets a call stuck for good. Resolves with the fd or rejects with the loss.
   */
  blockingOpen(path: string): Promise<number>;
  /** Node's thread id of each ring's worker, -1 where none runs. */
  threadIds(): number[];
  /** Threads the runtime started, live or retired, that Node has not joined yet (0 once close() resolved). */
  unjoinedThreads(): number;
  /** The driver's counters and each ring's words, for tests and for debugging a stall. */
  state(): Record<string, unknown>;
}
