/**
 * The bounce arena: slots of `slotSize` bytes in SharedArrayBuffer chunks, grown on demand. A
 * request whose buffer the workers cannot see (an ordinary ArrayBuffer) borrows a slot for its
 * lifetime: a write is copied in before its entry is published, a read is copied out after its
 * completion. Nothing is allocated until the first bounced transfer, and chunk k holds 2^k slots
 * (1, 2, 4, … up to `arenaSize` in all): a runtime that never bounces costs no arena, one that
 * bounces a little costs one slot, and opening and closing many runtimes does not pile up
 * megabytes of shared memory waiting for a GC (issue 11 item 10). Each chunk reaches a worker as
 * a shared buffer (SharedBuffers ids), like a user's. Slots are handed out last-freed first, so
 * the busy part of the arena stays warm in the cache.
 */
export class BounceArena {
  readonly slotSize: number;
  /** Slots the arena may grow to. */
  readonly slots: number;
  #chunks: Uint8Array[] = [];
  /** Slots in the chunks allocated so far. */
  #allocated = 0;
  #free: number[] = [];

  constructor(arenaSize: number, slotSize: number) {
    this.slotSize = slotSize;
    this.slots = Math.floor(arenaSize / slotSize);
  }

  /** Slots that `acquire` can still hand out, allocated or not. */
  get available(): number {
    return this.#free.length + this.slots - this.#allocated;
  }

  /** Bytes of shared memory the arena holds now. */
  get allocatedBytes(): number {
    return this.#allocated * this.slotSize;
  }

  /** A free slot's index, or -1 when every slot is lent. Grows the arena by one chunk when needed. */
  acquire(): number {
    const slot = this.#free.pop();
    if (slot !== undefined) return slot;
    if (this.#allocated === this.slots) return -1;
    this.#grow();
    return this.#free.pop() as number;
  }

  release(slot: number): void {
    this.#free.push(slot);
  }

  /** The chunk (a view over its whole SharedArrayBuffer) that holds a slot. */
  chunkOf(slot: number): Uint8Array {
    return this.#chunks[chunkIndex(slot)] as Uint8Array;
  }

  /** Byte offset of a slot inside its chunk (the entry's OFFSET). */
  offsetOf(slot: number): number {
    return (slot + 1 - 2 ** chunkIndex(slot)) * this.slotSize;
  }

  /** The first `length` bytes of a slot. */
  bytes(slot: number, length: number): Uint8Array {
    const start = this.offsetOf(slot);
    return this.chunkOf(slot).subarray(start, start + length);
  }

  /** Drops every chunk (runtime close): the arena holds no shared memory afterwards. */
  clear(): void {
    this.#chunks = [];
    this.#free = [];
    this.#allocated = 0;
  }

  #grow(): void {
    const count = Math.min(2 ** this.#chunks.length, this.slots - this.#allocated);
    this.#chunks.push(new Uint8Array(new SharedArrayBuffer(count * this.slotSize)));
    // Pushed highest first, so the lowest new slot is handed out first.
    for (let i = count - 1; i >= 0; i--) this.#free.push(this.#allocated + i);
    this.#allocated += count;
  }
}

/** Chunk k holds slots 2^k - 1 … 2^(k+1) - 2. */
function chunkIndex(slot: number): number {
  return 31 - Math.clz32(slot + 1);
}
