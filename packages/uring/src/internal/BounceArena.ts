/**
 * Memory the kernel may write into on behalf of a buffer the caller could detach. Node-API cannot
 * pin an ArrayBuffer's backing store: `structuredClone(buf.buffer, { transfer })` or `postMessage`
 * moves it to a new owner that may be collected while a read is in the kernel, which would then
 * write into freed memory. Transfers of such buffers go through memory allocated here, through V8
 * (no external memory), lazily. It is made of plain ArrayBuffers that never leave this package:
 * no caller holds a reference, so no caller can detach them, and the record of the operation keeps
 * them alive until its completion. (SharedArrayBuffers would be undetachable too, but V8 copies out
 * of them with relaxed atomics: 4 KiB took 200 ns against 75 ns from an ArrayBuffer, 2026-12-02.)
 *
 * - up to SLOT bytes: a page-aligned 4 KiB slot from chunks of CHUNK_SLOTS, at most `maxSlots`
 *   (the ring's records: a read takes its slot only when it gets one, see Operation.prepare);
 * - up to MAX_BOUNCE bytes: a page-aligned buffer of the next power of two, kept on a free list
 *   for reuse while the retained total stays under MAX_RETAINED;
 * - anything else past the slots: a fresh page-aligned buffer per transfer (the record holds it).
 *
 * A transfer larger than MAX_BOUNCE is moved in MAX_BOUNCE pieces one after another (UringFile),
 * so the memory one transfer holds is bounded. Page alignment keeps O_DIRECT transfers valid.
 */
import { Fifo } from "@pktio/core/backend";

/** The common transfer: one slot. */
export const SLOT = 4096;
/** Slots per ArrayBuffer: the arena grows by 256 KiB at a time. */
const CHUNK_SLOTS = 64;
/** The largest bounce buffer: bigger transfers are moved in pieces of this size. */
export const MAX_BOUNCE = 1024 * 1024;
/** Bytes of returned larger buffers kept for reuse. */
const MAX_RETAINED = 16 * 1024 * 1024;
/**
 * A locator names a slot to the addon without a buffer object: (arena id + 1) shifted past the
 * offset bits, plus the slot's byte offset in its chunk (native/binding.c, ARENA_OFFSET_BITS).
 */
const ARENA_OFFSET_SPAN = 2 ** 20;
/** Bytes of larger buffers out at once; transfers beyond it wait for one to come back. */
const MAX_OUTSTANDING = 32 * 1024 * 1024;
const PAGE = 4096;

export class BounceArena {
  readonly #maxSlots: number;
  readonly #alignOffset: (bytes: Uint8Array, alignment: number) => number;
  readonly #freeSlots: Uint8Array[] = [];
  #slots = 0;
  #spilled = 0;
  /** Free larger buffers by size (a power of two above SLOT). */
  readonly #freeLarge = new Map<number, Uint8Array[]>();
  #retained = 0;
  /** Bytes of larger buffers taken and not released. */
  #outstanding = 0;
  /** Transfers waiting for larger bounce memory, in order. */
  readonly #waiters = new Fifo<{ readonly size: number; readonly resume: () => void }>();
  #cleared = false;
  readonly #register: ((chunk: Uint8Array) => number) | undefined;
  /** Every chunk ever made, kept for the arena's life: the addon holds their addresses. */
  readonly #chunks: ArrayBuffer[] = [];
  /** The locator of each slot of a registered chunk, by slot (a slot's `.buffer` costs a builtin call). */
  readonly #locators = new Map<Uint8Array, number>();

  /**
   * `maxSlots` bounds the arena (one slot per operation in flight is enough). `register`, when
   * given, hands each new chunk to the addon and returns its arena id (negative: not registered;
   * its slots are then passed as buffers, as before).
   */
  constructor(maxSlots: number, alignOffset: (bytes: Uint8Array, alignment: number) => number, register?: (chunk: Uint8Array) => number) {
    this.#maxSlots = Math.max(CHUNK_SLOTS, Math.ceil(maxSlots / CHUNK_SLOTS) * CHUNK_SLOTS);
    this.#alignOffset = alignOffset;
    this.#register = register;
  }

  /** The addon's locator for a buffer from `take`: nonzero for a slot of a registered chunk, else 0. */
  locate(bounce: Uint8Array): number {
    return this.#locators.get(bounce) ?? 0;
  }

  /** Transfers of one slot's size that got memory of their own because every slot was out (tests and diagnostics). */
  get spilled(): number {
    return this.#spilled;
  }

  /** Slots taken and not yet released (tests and diagnostics: 0 whenever no read or write of one slot is in flight). */
  get slotsOut(): number {
    return this.#cleared ? 0 : this.#slots - this.#freeSlots.length;
  }

  /** Bytes this arena allocated for slots so far (tests and diagnostics). */
  get slotBytes(): number {
    return this.#slots * SLOT;
  }

  /** A bounce buffer of at least `length` (≤ MAX_BOUNCE) bytes; give it back with `release`. */
  take(length: number): Uint8Array {
    if (length <= SLOT) {
      const slot = this.#freeSlots.pop();
      if (slot !== undefined) return slot;
      if (this.#slots < this.#maxSlots && !this.#cleared) {
        this.#grow();
        return this.#freeSlots.pop() as Uint8Array;
      }
      this.#spilled++;
      return this.#allocate(SLOT);
    }
    const size = sizeFor(length);
    this.#outstanding += size;
    const reused = this.#freeLarge.get(size)?.pop();
    if (reused !== undefined) {
      this.#retained -= size;
      return reused;
    }
    return this.#allocate(size);
  }

  /** Returns a buffer from `take` once the kernel is done with it. */
  release(bounce: Uint8Array): void {
    const size = bounce.byteLength;
    if (size !== SLOT) {
      this.#outstanding -= size;
      this.#wake();
    }
    if (this.#cleared) return;
    if (size === SLOT) {
      if (this.#freeSlots.length < this.#slots) this.#freeSlots.push(bounce);
      return;
    }
    if (this.#retained + size > MAX_RETAINED) return; // dropped: the collector frees it
    let list = this.#freeLarge.get(size);
    if (list === undefined) this.#freeLarge.set(size, (list = []));
    list.push(bounce);
    this.#retained += size;
  }

  /**
   * True when a bounce buffer for `length` bytes may be taken now; otherwise `resume` is called
   * once enough larger bounce memory came back (the bytes held by transfers in flight stay under
   * MAX_OUTSTANDING, so many large transfers at once reuse buffers instead of allocating).
   */
  ready(length: number, resume: () => void): boolean {
    if (length <= SLOT) return true;
    const size = sizeFor(length);
    if (this.#waiters.length === 0 && (this.#outstanding === 0 || this.#outstanding + size <= MAX_OUTSTANDING)) return true;
    this.#waiters.push({ size, resume });
    return false;
  }

  #wake(): void {
    for (let next = this.#waiters.peek(); next !== undefined; next = this.#waiters.peek()) {
      if (this.#outstanding > 0 && this.#outstanding + next.size > MAX_OUTSTANDING) return;
      this.#waiters.shift();
      // resume takes its buffer at once, so the next check sees it.
      next.resume();
    }
  }

  /** Drops every free buffer (the runtime closed): nothing is kept for a ring that is gone. */
  clear(): void {
    this.#freeSlots.length = 0;
    this.#freeLarge.clear();
    this.#retained = 0;
    this.#cleared = true; // from now on a late transfer gets a buffer of its own, dropped after it
  }

  #grow(): void {
    const memory = new ArrayBuffer(CHUNK_SLOTS * SLOT + PAGE);
    const whole = new Uint8Array(memory);
    const base = this.#alignOffset(whole, PAGE);
    this.#chunks.push(memory);
    const id = this.#register?.(whole) ?? -1;
    for (let i = CHUNK_SLOTS - 1; i >= 0; i--) {
      const slot = new Uint8Array(memory, base + i * SLOT, SLOT);
      if (id >= 0) this.#locators.set(slot, (id + 1) * ARENA_OFFSET_SPAN + slot.byteOffset);
      this.#freeSlots.push(slot);
    }
    this.#slots += CHUNK_SLOTS;
  }

  #allocate(size: number): Uint8Array {
    // Not zero-filled (allocUnsafeSlow: a buffer of its own, outside Node's pool): a write fills
    // it before the kernel reads it, and a read hands back only the bytes the kernel wrote, so the
    // old contents are never seen. Zeroing a fresh megabyte per large transfer cost more than the copy.
    const memory = Buffer.allocUnsafeSlow(size + PAGE);
    return memory.subarray(this.#alignOffset(memory, PAGE), this.#alignOffset(memory, PAGE) + size);
  }
}

function sizeFor(length: number): number {
  return 2 ** Math.ceil(Math.log2(length));
}

/** True when the kernel may be handed these bytes directly: their buffer can never be detached. */
export function isUndetachable(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof SharedArrayBuffer;
}
