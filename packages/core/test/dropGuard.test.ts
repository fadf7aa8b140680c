/**
 * The drop guard at depth (internal/DropGuard.ts): views are watched per batch, so these check
 * that the coarser grain still fails every dropped view, across batches and behind a held
 * batch-mate, and never fails a view that was settled or a packet bound again afterwards.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { io, MemoryIo, Packet, Write, type BoundPacketView, type PacketIo, type PacketResult } from "../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collects garbage and yields a turn until `done()`; fails (a hang) after a bounded number of tries. */
async function collectUntil(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (!done()) throw new Error(`${what}: still unsettled after 500 collections (hang)`);
}

/** A target that hands every view to `handle` and forgets it. */
function target(handle: (view: BoundPacketView<Write>) => void): PacketIo<Write, number> {
  return { sendIo: (_pos, view) => handle(view) };
}

describe("drop guard", () => {
  it("fails every one of 10000 dropped views, made in one run (several batches of the guard)", async () => {
    const results: PacketResult[] = [];
    const drop = target(() => undefined);
    for (let i = 0; i < 10_000; i++) void io(drop, i, Packet.alloc(2)).then((result) => results.push(result));
    await collectUntil(() => results.length === 10_000, "10000 dropped views");
    expect(results.every((result) => result.transferred === 0 && result.error?.kind === "Aborted")).toBe(true);
  });

  it("fails a dropped view once the batch-mate its target held is settled", async () => {
    let held: BoundPacketView<Write> | undefined;
    const holdFirst = target((view) => {
      if (held === undefined) held = view;
    });
    const kept = io(holdFirst, 0, Packet.alloc(1));
    let droppedResult: PacketResult | undefined;
    void io(holdFirst, 1, Packet.alloc(1)).then((result) => (droppedResult = result));
    (held as BoundPacketView<Write>).complete();
    held = undefined;
    await collectUntil(() => droppedResult !== undefined, "the dropped view");
    expect(droppedResult?.error?.kind).toBe("Aborted");
    expect(await kept).toEqual({ transferred: 1, error: undefined });
  });

  it("never fails settled views, nor a packet bound again after its batch was collected", async () => {
    const mem = new MemoryIo(new Uint8Array(8).fill(7));
    const packets = Array.from({ length: 5000 }, () => Packet.alloc(1));
    const first = await Promise.all(packets.map((packet, i) => io(mem, i % 8, packet)));
    expect(first.every((result) => result.transferred === 1 && result.error === undefined)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve)); // the first round's batches close
    // Bind the same packets again to a target that holds their views; collect the old batches.
    const held: BoundPacketView<Write>[] = [];
    const outcomes: PacketResult[] = [];
    const hold = target((view) => void held.push(view));
    for (const packet of packets) void io(hold, 0, packet).then((result) => outcomes.push(result));
    // The first batches are collectable now: wait until the guard would have failed them (a
    // FinalizationRegistry callback runs after a collection, in a later task), then settle.
    const sentinel = target(() => undefined);
    let sentinelDone = false;
    await new Promise((resolve) => setImmediate(resolve)); // a new batch for the sentinel
    void io(sentinel, 0, Packet.alloc(1)).then(() => (sentinelDone = true));
    await collectUntil(() => sentinelDone, "the sentinel");
    expect(outcomes).toEqual([]);
    for (const view of held) view.complete();
    await collectUntil(() => outcomes.length === packets.length, "held views");
    expect(outcomes.every((result) => result.transferred === 1 && result.error === undefined)).toBe(true);
  });
});
