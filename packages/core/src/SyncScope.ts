/**
 * Whether the calling thread is inside `ioSync`'s send (a backend's `submitSync`): targets that
 * cannot block there (a libuv socket, a FIFO's pipe) fail their packets Unsupported instead of
 * queueing them for an event loop that will not run. Shared by the backends that have one.
 */
export class SyncScope {
  #depth = 0;

  /** True while `run` is on the stack. */
  get active(): boolean {
    return this.#depth > 0;
  }

  /** Runs `submit` inside the scope (nested calls nest). */
  run(submit: () => void): void {
    this.#depth++;
    try {
      submit();
    } finally {
      this.#depth--;
    }
  }
}
