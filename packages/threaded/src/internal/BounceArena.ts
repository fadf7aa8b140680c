/**
 * The bounce arena: one SharedArrayBuffer cut into equal slots. A request whose buffer the
 * workers cannot see (an ordinary ArrayBuffer) borrows a slot for its lifetime: a write is
 * copied in before its entry is published, a read is copied out after its completion. Slots
 * are handed out last-freed first, so the busy part of the arena stays warm in the cache.
 */
export class BounceArena {
  readonly buffer: SharedArrayBuffer;
  readonly slotSize: number;
  readonly slots: number;
  readonly #bytes: Uint8Array;
  readonly #free: number[];

  constructor(arenaSize: number, slotSize: number) {
    this.buffer = new SharedArrayBuffer(arenaSize);
    this.#bytes = new Uint8Array(this.buffer);
    this.slotSize = slotSize;
    this.slots = Math.floor(arenaSize / slotSize);
    this.#free = Array.from({ length: this.slots }, (_, i) => this.slots - 1 - i);
  }

  get available(): number {
    return this.#free.length;
  }

  /** A free slot's index, or -1 when every slot is lent. */
  acquire(): number {
    return this.#free.pop() ?? -1;
  }

  release(slot: number): void {
    this.#free.push(slot);
  }

  /** Byte offset of a slot in the arena (the entry's OFFSET). */
  offsetOf(slot: number): number {
    return slot * this.slotSize;
  }

  /** The first `length` bytes of a slot. */
  bytes(slot: number, length: number): Uint8Array {
    const start = slot * this.slotSize;
    return this.#bytes.subarray(start, start + length);
  }
}
