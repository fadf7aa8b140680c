/**
 * A middleware target for tests: it splits every view into a random tree of pieces, fails some
 * pieces itself, and forwards the rest to the target under test at the matching positions. It
 * records the lowest offset it failed, which is what the packet's `transferred` must equal.
 */
import { IoError, type BoundPacketView, type PacketIo, type Perm, type Pos } from "@pktio/core";
import type { Rng } from "./rng.js";

export interface FaultPlan {
  /** Probability that a piece is split again (the tree's depth is bounded by piece length). */
  readonly splitChance: number;
  /** Probability that a leaf piece fails here instead of being forwarded. */
  readonly failChance: number;
}

export class FaultyIo<P extends Perm> implements PacketIo<P, Pos> {
  readonly inner: PacketIo<P, Pos>;
  readonly #rng: Rng;
  readonly #plan: FaultPlan;
  /** Lowest packet offset this middleware failed, per packet; Infinity when none. */
  readonly injected = new WeakMap<object, { start: number; error: IoError }>();

  constructor(inner: PacketIo<P, Pos>, rng: Rng, plan: FaultPlan) {
    this.inner = inner;
    this.#rng = rng;
    this.#plan = plan;
  }

  get backend(): PacketIo<P, Pos>["backend"] {
    return this.inner.backend;
  }

  sendIo(pos: Pos, view: BoundPacketView<P>): void {
    this.#route(Number(pos), view);
  }

  #route(pos: number, view: BoundPacketView<P>): void {
    if (view.length > 1 && this.#rng.chance(this.#plan.splitChance)) {
      const at = this.#rng.int(1, view.length);
      const [left, right] = view.splitAt(at);
      // Send the right half first: settlement order must not matter.
      this.#route(pos + at, right);
      this.#route(pos, left);
      return;
    }
    if (this.#rng.chance(this.#plan.failChance)) {
      const error = new IoError("Interrupted", `injected failure at packet offset ${view.start}`, { op: "FaultyIo" });
      const previous = this.injected.get(view.packet);
      if (previous === undefined || view.start < previous.start) this.injected.set(view.packet, { start: view.start, error });
      view.fail(error);
      return;
    }
    this.inner.sendIo(pos, view);
  }
}
