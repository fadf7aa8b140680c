/**
 * Ids for the users' SharedArrayBuffers, the zero-copy path. A worker cannot be handed a buffer
 * through the ring, so each buffer gets an id, and a worker is sent the buffer (postMessage
 * shares it, never copies) before the first entry that names the id. When the main thread's
 * buffer object is collected, which cannot happen while a request uses it (the request holds
 * the view), the workers are told to forget the id, so their copy does not keep the memory.
 * Ids are never reused.
 */
import { FIRST_SHARED_ID } from "./ringLayout.js";

export class SharedBuffers {
  readonly #ids = new WeakMap<SharedArrayBuffer, number>();
  readonly #collected: FinalizationRegistry<number>;
  #next = FIRST_SHARED_ID;

  /** `forget(id)` runs once the buffer of `id` is garbage-collected on this thread. */
  constructor(forget: (id: number) => void) {
    this.#collected = new FinalizationRegistry(forget);
  }

  idOf(buffer: SharedArrayBuffer): number {
    let id = this.#ids.get(buffer);
    if (id === undefined) {
      id = this.#next++;
      this.#ids.set(buffer, id);
      this.#collected.register(buffer, id);
    }
    return id;
  }
}
