/**
 * A view `[start, end)` of a bound packet: the unit a backend receives, splits and settles.
 * Each view is settled exactly once, or split once into two views that are; a view that is
 * garbage-collected unsettled fails its piece with kind Aborted, so no caller waits forever.
 */
import { macrotask } from "./internal/macrotask.js";
import { IoError, toIoError } from "./IoError.js";
import { addSegment, settleSegment, viewToken } from "./internal/packetInternals.js";
import type { Packet } from "./Packet.js";
import type { Perm, PermTag } from "./Perm.js";

const LIVE = 0;
const SPLIT = 1;
const SETTLED = 2;

/** What the registry keeps of a view: enough to fail its piece. It doubles as the unregister token. */
interface Held {
  readonly packet: Packet<Perm>;
  readonly start: number;
  readonly end: number;
}

// Holds the packet (never the view) so that a dropped view can still settle its piece.
const dropped = new FinalizationRegistry<Held>((held) => {
  const error = new IoError("Aborted", `view [${held.start}, ${held.end}) was garbage-collected unsettled: its target dropped it`, { op: "sendIo" });
  held.packet[settleSegment](held.start, held.end, error);
});

/*
 * Registering and unregistering cost about 0.4 µs a view, more than a whole in-memory I/O. Most views are settled
 * soon after they are made, so a view is registered only if it is still live when a sweep runs:
 * on the next macrotask, or as soon as YOUNG_LIMIT views are waiting (a long run of microtasks
 * never reaches the macrotask). Until then the `young` list keeps them reachable.
 */
const YOUNG_LIMIT = 4096;
const registerIfLive: unique symbol = Symbol("pktio.registerIfLive");
let young: BoundPacketView<Perm>[] = [];
let sweepScheduled = false;

function sweep(): void {
  sweepScheduled = false;
  const views = young;
  young = [];
  for (const view of views) view[registerIfLive]();
}

function track(view: BoundPacketView<Perm>): void {
  if (young.push(view) >= YOUNG_LIMIT) {
    const views = young;
    young = [];
    for (const waiting of views) waiting[registerIfLive]();
  }
  if (!sweepScheduled) {
    sweepScheduled = true;
    macrotask(sweep, true);
  }
}

export class BoundPacketView<P extends Perm> {
  readonly packet: Packet<P>;
  /** Offset of the first byte in the packet. */
  readonly start: number;
  /** Offset one past the last byte in the packet. */
  readonly end: number;
  #state = LIVE;
  #held: Held | undefined = undefined;

  /** Views come from `Packet.bind` and `splitAt` only. */
  constructor(token: typeof viewToken, packet: Packet<P>, start: number, end: number) {
    if (token !== viewToken) throw new TypeError("BoundPacketView is created by Packet.bind() and splitAt(), not directly");
    this.packet = packet;
    this.start = start;
    this.end = end;
    track(this as BoundPacketView<Perm>);
  }

  /** Called by the sweep: a view still live after its creating macrotask is watched from now on. */
  [registerIfLive](): void {
    if (this.#state !== LIVE) return;
    this.#held = { packet: this.packet as Packet<Perm>, start: this.start, end: this.end };
    dropped.register(this, this.#held, this.#held);
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

  /** The view's bytes, zero-copy. Only the holder of a live view may touch them. */
  bytes(): Uint8Array {
    this.#assertLive("bytes");
    const whole = this.packet.bytes;
    // The unsplit view is the whole packet: no new array object on the common path.
    return this.start === 0 && this.end === whole.byteLength ? whole : whole.subarray(this.start, this.end);
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
    if (this.#held !== undefined) dropped.unregister(this.#held);
  }

  #assertLive(op: string): void {
    if (this.#state === LIVE) return;
    const what = this.#state === SPLIT ? "was split" : "is already settled";
    throw new IoError("InvalidInput", `${op}: view [${this.start}, ${this.end}) ${what}`, { op });
  }
}
