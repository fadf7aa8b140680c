import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { BoundPacketView, io, IoError, MemoryIo, Packet, Read, ReadWrite, SegmentStream, Write, type PacketIo, type PacketSegment } from "../src/index.js";

/** A target that hands every view to a test-supplied function, synchronously. */
function target<P extends Write | Read>(handle: (pos: number, view: BoundPacketView<P>) => void): PacketIo<P, number> {
  return { sendIo: handle };
}

describe("Packet", () => {
  it("alloc and wrap carry bytes, length and permission", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const wrapped = Packet.wrap(bytes, Read);
    expect(wrapped.bytes).toBe(bytes);
    expect(wrapped.length).toBe(3);
    expect(wrapped.perm).toBe(Read);
    expect(Packet.alloc(5).perm).toBe(Write);
    expect(Array.from(Packet.alloc(4).bytes)).toEqual([0, 0, 0, 0]);
  });

  it("completes with the full length when every piece succeeds", async () => {
    const result = await io(target<Write>((_pos, view) => {
      const [left, right] = view.splitAt(2);
      right.complete();
      left.complete();
    }), 0, Packet.alloc(8));
    expect(result).toEqual({ transferred: 8, error: undefined });
  });

  it("clamps to the lowest failed offset and reports that piece's error", async () => {
    const first = new IoError("Other", "at 5");
    const second = new IoError("NotFound", "at 3");
    const result = await io(target<Write>((_pos, view) => {
      const [a, rest] = view.splitAt(3);
      const [b, c] = rest.splitAt(2);
      c.fail(first);
      b.fail(second);
      a.complete();
    }), 0, Packet.alloc(10));
    expect(result.transferred).toBe(3);
    expect(result.error).toBe(second);
  });

  it("a failure of a non-IoError becomes kind Other with the cause kept", async () => {
    const cause = new Error("boom");
    const result = await io(target<Write>((_pos, view) => view.fail(cause)), 0, Packet.alloc(1));
    expect(result.error?.kind).toBe("Other");
    expect(result.error?.cause).toBe(cause);
  });

  it("rejects re-sending a packet that is in flight, and allows it after completion", async () => {
    const mem = new MemoryIo(new Uint8Array(16));
    const packet = Packet.alloc(4);
    const first = io(mem, 0, packet);
    expect(packet.inFlight).toBe(true);
    expect(() => io(mem, 0, packet)).toThrow(expect.objectContaining({ kind: "Busy" }));
    await first;
    expect(packet.inFlight).toBe(false);
    expect((await io(mem, 4, packet)).transferred).toBe(4);
  });

  it("views refuse a second settlement and use after split", () => {
    const views: BoundPacketView<Write>[] = [];
    void io(target<Write>((_pos, view) => views.push(view)), 0, Packet.alloc(4));
    const view = views[0]!;
    const [left, right] = view.splitAt(1);
    expect(() => view.complete()).toThrow(/was split/);
    expect(() => view.bytes()).toThrow(/was split/);
    left.complete();
    expect(() => left.fail(new Error("x"))).toThrow(/already settled/);
    expect(() => left.complete()).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    right.complete();
  });

  it.each([0, 4, -1, 1.5, Number.NaN, 10])("splitAt(%s) on a 4-byte view is InvalidInput", (at) => {
    let thrown: unknown;
    void io(target<Write>((_pos, view) => {
      try {
        view.splitAt(at);
      } catch (error) {
        thrown = error;
      }
      view.complete();
    }), 0, Packet.alloc(4));
    expect(thrown).toBeInstanceOf(IoError);
    expect((thrown as IoError).kind).toBe("InvalidInput");
    expect((thrown as IoError).message).toMatch(/0 < at < 4/);
  });

  it("bytes() is a zero-copy window of the packet", async () => {
    const backing = new Uint8Array(6);
    await io(target<Write>((_pos, view) => {
      const [left, right] = view.splitAt(2);
      right.bytes().fill(7);
      right.complete();
      left.complete();
    }), 0, Packet.wrap(backing));
    expect(Array.from(backing)).toEqual([0, 0, 7, 7, 7, 7]);
  });

  it("delivers one callback per settled segment", async () => {
    const segments: PacketSegment[] = [];
    const mem = new MemoryIo(new Uint8Array(4));
    const result = await io(mem, 2, Packet.alloc(4), (segment) => segments.push(segment));
    expect(result.transferred).toBe(2);
    expect(segments).toHaveLength(2);
    expect(segments.map((s) => [s.start, s.end, s.error?.kind])).toEqual([
      [2, 4, "UnexpectedEof"],
      [0, 2, undefined],
    ]);
  });

  it("SegmentStream yields every segment and ends with the packet", async () => {
    const stream = new SegmentStream();
    const pending = io(target<Write>((_pos, view) => {
      const [a, b] = view.splitAt(1);
      setTimeout(() => {
        b.complete();
        setTimeout(() => a.complete(), 1);
      }, 1);
    }), 0, Packet.alloc(2), stream);
    const seen: number[] = [];
    for await (const segment of stream) seen.push(segment.start);
    expect(seen).toEqual([1, 0]);
    expect(stream.result).toEqual(await pending);
  });

  it("a view dropped without settlement fails its packet instead of hanging", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const pending = io(target<Write>((_pos, view) => {
      const [left] = view.splitAt(1);
      left.complete(); // the right half is dropped on the floor
    }), 0, Packet.alloc(3));
    let result: Awaited<typeof pending> | undefined;
    void pending.then((value) => (result = value));
    for (let i = 0; i < 50 && result === undefined; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(result?.transferred).toBe(1);
    expect(result?.error?.kind).toBe("Aborted");
  });

  it("a target that throws from sendIo fails the packet instead of leaving it in flight", async () => {
    const packet = Packet.alloc(1);
    const result = await io(target<Write>(() => {
      throw new Error("broken target");
    }), 0, packet);
    expect(result.error?.message).toMatch(/broken target/);
    expect(packet.inFlight).toBe(false);
  });

  it("ReadWrite packets are refused by a target that serves both directions", async () => {
    const result = await io(new MemoryIo() as unknown as PacketIo<ReadWrite, number>, 0, Packet.alloc(1, ReadWrite));
    expect(result.error?.kind).toBe("InvalidInput");
  });
});

describe("Packet input checks", () => {
  it.each([
    [-1, /length must be an integer from 0/],
    [1.5, /length must be an integer from 0/],
    [2 ** 40, /length must be an integer from 0/],
  ])("alloc(%s) is InvalidInput", (length, message) => {
    expect(() => Packet.alloc(length)).toThrow(message);
  });

  it("a Packet of another copy of @pktio/core (the CommonJS and ES builds both loaded) is refused saying so, not as a typo", () => {
    // What such a packet looks like to this copy: the shared brand, none of this copy's private state.
    const foreign = Object.defineProperty({}, Symbol.for("pktio.Packet"), { value: true });
    const mem = new MemoryIo(new Uint8Array(8));
    expect(() => io(mem, 0, foreign as Packet<Write>)).toThrow(/another copy of @pktio\/core/);
    expect(() => io(mem, 0, {} as Packet<Write>)).toThrow(/^packet must be a Packet/);
    expect((Packet.alloc(1) as unknown as Record<symbol, unknown>)[Symbol.for("pktio.Packet")]).toBe(true);
  });

  it("wrap refuses non-Uint8Array, detached and resizable buffers", () => {
    expect(() => Packet.wrap([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => Packet.wrap(new Uint16Array(2) as unknown as Uint8Array)).toThrow(/Uint8Array/);
    const buffer = new ArrayBuffer(8);
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => Packet.wrap(new Uint8Array(buffer))).toThrow(/detached/);
    const resizable = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(8, { maxByteLength: 16 });
    expect(() => Packet.wrap(new Uint8Array(resizable))).toThrow(/resizable/);
  });

  it("growable SharedArrayBuffers are refused too; shared says whether the bytes can never be detached", () => {
    const growable = new (SharedArrayBuffer as unknown as new (n: number, o: object) => SharedArrayBuffer)(8, { maxByteLength: 16 });
    expect(() => Packet.wrap(new Uint8Array(growable))).toThrow(/resizable/);
    expect(Packet.wrap(new Uint8Array(new SharedArrayBuffer(8), 2, 4)).shared).toBe(true);
    expect(Packet.wrap(new Uint8Array(8)).shared).toBe(false);
    expect(Packet.wrap(Buffer.alloc(8)).shared).toBe(false);
    expect(Packet.alloc(8).shared).toBe(false);
  });

  it("a buffer detached after wrap is refused at bind", () => {
    const bytes = new Uint8Array(8);
    const packet = Packet.wrap(bytes);
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
    expect(() => packet.bind()).toThrow(/detached/);
  });

  it("views cannot be constructed by hand", () => {
    const Ctor = BoundPacketView as unknown as new (...args: unknown[]) => unknown;
    expect(() => new Ctor(Symbol("fake"), Packet.alloc(1), 0, 1)).toThrow(TypeError);
  });
});
