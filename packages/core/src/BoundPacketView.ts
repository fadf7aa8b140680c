/**
 * A view `[start, end)` of a bound packet: the unit a backend receives, splits and settles.
 * Each view is settled exactly once, or split once into two views that are; a view that is
 * garbage-collected unsettled fails its piece with kind Aborted, so no caller waits forever
 * (internal/DropGuard.ts: one registration per batch of views).
 */
import { type Batch, enlist, release } from "./internal/DropGuard.js";
import { IoError, toIoError } from "./IoError.js";
import { addSegment, settleSegment, viewToken } from "./internal/packetInternals.js";
import type { Packet } from "./Packet.js";
import type { Perm, PermTag } from "./Perm.js";

const LIVE = 0;
const SPLIT = 1;
const SETTLED = 2;

/** A live piece of a bound packet, handed to `sendIo`: settle it once, or split it. */
export class BoundPacketView<P extends Perm> {
  readonly packet: Packet<P>;
  /** Offset of the first byte in the packet. */
  readonly start: number;
  /** Offset one past the last byte in the packet. */
  readonly end: number;
  #state = LIVE;
  /** The drop guard's batch while live (it keeps the batch reachable), and this view's slot in it. */
  #batch: Batch | undefined;
  readonly #slot: number;

  /** Views come from `Packet.bind` and `splitAt` only. */
  constructor(token: typeof viewToken, packet: Packet<P>, start: number, end: number) {
    if (token !== viewToken) throw new TypeError("BoundPacketView is created by Packet.bind() and splitAt(), not directly");
    this.packet = packet;
    this.start = start;
    this.end = end;
    const batch = enlist(packet as Packet<Perm>, start, end);
    this.#batch = batch;
    this.#slot = batch.ledger.entries.length - 3;
  }

  get length(): number {
    return this.end - this.start;
  }

  get perm(): PermTag<P> {
    return this.packet.perm;
  }

  /** True once this view was completed, failed or split. */
  get settled(): boolean {
    return this.#state !== LIVE;
  }

  /**
   * True once the caller detached the packet's buffer (transferred it away): its bytes are gone.
   * A backend that finds a view detached before or after the kernel's part fails it (see
   * `detachedError`) instead of touching its bytes.
   */
  get detached(): boolean {
    return this.packet.bytes.byteLength !== this.packet.length;
  }

  /** The view's bytes, zero-copy. Only the holder of a live view may touch them; kind InvalidInput once detached. */
  bytes(): Uint8Array {
    this.#assertLive("bytes");
    const whole = this.packet.bytes;
    // The unsplit view is the whole packet: no new array object on the common path.
    if (this.start === 0 && this.end === whole.byteLength) return whole;
    if (whole.byteLength !== this.packet.length) throw new IoError("InvalidInput", "bytes: the packet's buffer was detached", { op: "bytes" });
    return whole.subarray(this.start, this.end);
  }

  /**
   * Splits into `[start, start + at)` and `[start + at, end)`; this view is spent afterwards.
   * `at` must satisfy 0 < at < length.
   */
  splitAt(at: number): [BoundPacketView<P>, BoundPacketView<P>] {
    this.#assertLive("splitAt");
    if (typeof at !== "number" || !Number.isInteger(at) || at <= 0 || at >= this.length) {
      throw new IoError("InvalidInput", `splitAt: at must be an integer with 0 < at < ${this.length}, got ${String(at)}`, { op: "splitAt" });
    }
    this.#spend(SPLIT);
    this.packet[addSegment]();
    const middle = this.start + at;
    return [new BoundPacketView(viewToken, this.packet, this.start, middle), new BoundPacketView(viewToken, this.packet, middle, this.end)];
  }

  /** Settles this piece as transferred in full. */
  complete(): void {
    this.#assertLive("complete");
    this.#spend(SETTLED);
    this.packet[settleSegment](this.start, this.end, undefined);
  }

  /** Settles this piece as failed; a non-IoError becomes kind Other with it as the cause. */
  fail(error: unknown): void {
    this.#assertLive("fail");
    this.#spend(SETTLED);
    this.packet[settleSegment](this.start, this.end, toIoError(error));
  }

  #spend(state: number): void {
    this.#state = state;
    release(this.#batch as Batch, this.#slot);
    this.#batch = undefined;
  }

  #assertLive(op: string): void {
    if (this.#state === LIVE) return;
    const what = this.#state === SPLIT ? "was split" : "is already settled";
    throw new IoError("InvalidInput", `${op}: view [${this.start}, ${this.end}) ${what}`, { op });
  }
}
