/**
 * Memory of the backend's own for transfers whose caller could detach its buffer (a plain
 * ArrayBuffer): Node's thread pool keeps a pointer into what it is given until the call returns,
 * and a detached buffer's memory is freed once its new owner is collected. These buffers never
 * leave the package, so no caller can detach them. They are recycled, by power-of-two size,
 * while the bytes kept stay under MAX_RETAINED: a fresh Buffer per 4 KiB read cost more than half
 * of libuv's read rate (151k → 65k reads/s, 2026-12-03).
 */

/** Bytes of free buffers kept for reuse. */
const MAX_RETAINED = 16 * 1024 * 1024;
/** The smallest size kept: smaller transfers share it. */
const MIN_SIZE = 4096;

export class BouncePool {
  /** Free buffers by size (a power of two, at least MIN_SIZE). */
  readonly #free = new Map<number, Buffer[]>();
  #retained = 0;

  /** A buffer of at least `length` bytes (its first `length` bytes are the caller's to use); give it back with `release`. */
  take(length: number): Buffer {
    const size = sizeFor(length);
    const reused = this.#free.get(size)?.pop();
    if (reused !== undefined) {
      this.#retained -= size;
      return reused;
    }
    // Not zero-filled: a read hands back only the bytes the kernel wrote, a write fills it first.
    return Buffer.allocUnsafeSlow(size);
  }

  /** Returns a buffer from `take` once Node is done with it. */
  release(buffer: Buffer): void {
    const size = buffer.byteLength;
    if (this.#retained + size > MAX_RETAINED) return; // dropped: the collector frees it
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, (list = []));
    list.push(buffer);
    this.#retained += size;
  }
}

function sizeFor(length: number): number {
  return Math.max(MIN_SIZE, 2 ** Math.ceil(Math.log2(Math.max(1, length))));
}
