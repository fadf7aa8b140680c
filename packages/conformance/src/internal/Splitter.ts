/** A packet split by the property test: one view cut at the pieces' boundaries, each piece sent to its own file. */
import type { BoundPacketView, PacketIo, Perm } from "@pktio/core";
import type { Placed } from "./TransferOutcome.js";

/** A target that splits a view at the pieces' boundaries and sends each piece to its own handle. */
export class Splitter implements PacketIo<Perm, number> {
  constructor(
    readonly pieces: readonly Placed[],
    readonly order: readonly number[],
  ) {}

  sendIo(_pos: number, view: BoundPacketView<Perm>): void {
    const views: BoundPacketView<Perm>[] = [];
    let rest = view;
    for (let i = 0; i < this.pieces.length - 1; i++) {
      const [head, tail] = rest.splitAt((this.pieces[i] as Placed).length);
      views.push(head);
      rest = tail;
    }
    views.push(rest);
    // Sent by rank (ties in index order): settlement order must not matter.
    const order = this.pieces.map((_, i) => i).sort((a, b) => (this.order[a] ?? a) - (this.order[b] ?? b) || a - b);
    for (const i of order) {
      const piece = this.pieces[i] as Placed;
      (piece.handle.target as PacketIo<Perm, number>).sendIo(piece.pos, views[i] as BoundPacketView<Perm>);
    }
  }
}

