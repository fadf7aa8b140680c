/**
 * The deadline/abort contract (design.md §7) against a target that holds its views until told:
 * the caller's promise settles at the deadline or abort, the packet stays in flight until the
 * target settles its pieces, and `released` / `whenReleased` say when the buffer is back.
 */
import { describe, expect, it } from "vitest";
import { io, IoError, joinPrograms, Packet, readAt, readNumberAt, runIo, readExactAtProgram, whenReleased, writeAt, writeNumberAt, Read, Write, type BoundPacketView, type PacketIo, type Perm, type Pos } from "../src/index.js";

/** Keeps every view it receives unsettled ("never completes") until the test settles it. */
class HeldIo implements PacketIo<Perm, Pos> {
  readonly held: BoundPacketView<Perm>[] = [];
  sendIo(_pos: Pos, view: BoundPacketView<Perm>): void {
    const signal = view.packet.signal;
    if (signal?.aborted === true) return view.fail(new IoError("Aborted", "refused"));
    this.held.push(view);
  }
  /** Completes every held piece, writing `fill` into reads as a late OS would. */
  completeAll(fill = 0xee): void {
    for (const view of this.held.splice(0)) {
      if (view.perm.backendWrites) view.bytes().fill(fill);
      view.complete();
    }
  }
}

/** Keeps every view and never looks at its signal: a user's own PacketIo, a device that never answers. */
class DeafIo implements PacketIo<Perm, Pos> {
  readonly held: BoundPacketView<Perm>[] = [];
  sendIo(_pos: Pos, view: BoundPacketView<Perm>): void {
    this.held.push(view);
  }
}

describe("deadlines and aborts settle the caller on time", () => {
  it("a signal that fired before the call fails it Aborted without sending it, even to a target that ignores signals", async () => {
    const target = new DeafIo();
    const signal = AbortSignal.abort();
    const kindOf = (promise: Promise<unknown>): Promise<string | undefined> => promise.then(() => "resolved", (e: IoError) => e.kind);
    const packet = Packet.alloc(4, Write);
    const result = await io(target, 0, packet, undefined, { signal, timeoutMs: 60_000 });
    expect(result.error?.kind).toBe("Aborted");
    expect(packet.inFlight).toBe(false);
    expect(
      await Promise.all([
        kindOf(readAt(target, 0, new Uint8Array(4), { signal })),
        kindOf(writeAt(target, 0, new Uint8Array(4), { signal })),
        kindOf(readNumberAt(target, 0, "u32le", { signal })),
        kindOf(writeNumberAt(target, 0, "u16be", 1, { signal })),
      ]),
    ).toEqual(["Aborted", "Aborted", "Aborted", "Aborted"]);
    expect(target.held).toHaveLength(0);
    // In a join only the unsignalled request reaches the target; the join fails once it is done.
    const joined = kindOf(runIo(joinPrograms([readExactAtProgram(target, 0, new Uint8Array(2), { signal }), readExactAtProgram(target, 2, new Uint8Array(2))])));
    expect(target.held).toHaveLength(1);
    target.held.splice(0).forEach((view) => view.complete());
    expect(await joined).toBe("Aborted");
    const reason = new Error("the caller's own reason");
    const own = await io(target, 0, Packet.alloc(4, Read), undefined, { signal: AbortSignal.abort(reason) });
    expect(own.error).toEqual(expect.objectContaining({ kind: "Aborted", cause: reason }));
  });


  it("timeoutMs on an operation that never completes settles with TimedOut; the packet stays in flight until the target lets go", async () => {
    const target = new HeldIo();
    const packet = Packet.alloc(16, Write);
    const result = await io(target, 0, packet, undefined, { timeoutMs: 20 });
    expect(result.error?.kind).toBe("TimedOut");
    expect(result.transferred).toBe(0);
    expect(packet.inFlight).toBe(true);
    // The backend saw the deadline on the packet's signal, so it could cancel.
    expect(target.held[0]?.packet.signal?.aborted).toBe(true);
    let released = false;
    const whenBack = packet.released.then((outcome) => {
      released = true;
      return outcome;
    });
    await Promise.resolve();
    expect(released).toBe(false);
    target.completeAll();
    const outcome = await whenBack;
    expect(outcome?.transferred).toBe(16);
    expect(packet.inFlight).toBe(false);
    // The caller's result stays what it was told.
    expect(packet.result?.error?.kind).toBe("TimedOut");
  });

  it("an abort after submission settles with Aborted, for io(), readAt, writeAt and runIo", async () => {
    const target = new HeldIo();
    const controller = new AbortController();
    const dst = new Uint8Array(8);
    const pending = [
      io(target, 0, Packet.alloc(4, Write), undefined, { signal: controller.signal }).then((r) => r.error?.kind),
      readAt(target, 0, dst, { signal: controller.signal }).then(() => "resolved", (e: IoError) => e.kind),
      writeAt(target, 0, new Uint8Array(4), { signal: controller.signal }).then(() => "resolved", (e: IoError) => e.kind),
      runIo(readExactAtProgram(target, 0, new Uint8Array(4), { signal: controller.signal })).then(() => "resolved", (e: IoError) => e.kind),
    ];
    expect(target.held).toHaveLength(4);
    controller.abort();
    expect(await Promise.all(pending)).toEqual(["Aborted", "Aborted", "Aborted", "Aborted"]);
    // The caller's buffer is lent until the target lets go; the late bytes land before release, never after.
    let back = false;
    const released = whenReleased(dst).then(() => (back = true));
    await Promise.resolve();
    expect(back).toBe(false);
    target.completeAll(0xab);
    await released;
    expect(dst.every((byte) => byte === 0xab)).toBe(true);
  });

  it("the caller's abort reason wins when it is an IoError; split pieces are all waited for", async () => {
    const target: PacketIo<Perm, Pos> & { held: BoundPacketView<Perm>[] } = {
      held: [],
      sendIo(_pos, view) {
        const [left, right] = view.splitAt(2);
        this.held.push(left, right);
      },
    };
    const controller = new AbortController();
    const packet = Packet.alloc(4, Write);
    const done = io(target, 0, packet, undefined, { signal: controller.signal });
    controller.abort(new IoError("Interrupted", "shutting down"));
    expect((await done).error?.kind).toBe("Interrupted");
    target.held[0]?.complete();
    expect(packet.inFlight).toBe(true);
    target.held[1]?.fail(new IoError("Aborted", "cancelled"));
    expect(packet.inFlight).toBe(false);
    expect(await packet.released).toEqual({ transferred: 2, error: expect.objectContaining({ kind: "Aborted" }) });
  });

  it("a completion that wins the race returns the data, and the timer is gone", async () => {
    const target = new HeldIo();
    const packet = Packet.alloc(4, Write);
    const done = io(target, 0, packet, undefined, { timeoutMs: 60_000 });
    target.completeAll(1);
    expect(await done).toEqual({ transferred: 4, error: undefined });
    expect(packet.signal).toBeUndefined();
    expect(await packet.released).toEqual({ transferred: 4, error: undefined });
  });

  it("a signal fired before submission refuses to start, and whenReleased is immediate for idle buffers", async () => {
    const target = new HeldIo();
    const result = await io(target, 0, Packet.wrap(new Uint8Array(4), Read), undefined, { signal: AbortSignal.abort() });
    expect(result.error?.kind).toBe("Aborted");
    expect(target.held).toHaveLength(0);
    await expect(whenReleased(new Uint8Array(4))).resolves.toBeUndefined();
  });
});
