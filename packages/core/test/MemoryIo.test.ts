import { describe, expect, it } from "vitest";
import {
  io,
  ioSync,
  IoError,
  MemoryIo,
  Packet,
  Read,
  readAt,
  readAtSync,
  readToEnd,
  ReadWrite,
  Write,
  writeAllAt,
  writeAllAtSync,
  writeAt,
  writeAtSync,
  type BoundPacketView,
  type MemoryIoOptions,
  type Pos,
} from "../src/index.js";

const kind = (name: string, message?: RegExp): unknown =>
  expect.objectContaining({ kind: name, ...(message === undefined ? {} : { message: expect.stringMatching(message) }) });

describe("MemoryIo construction", () => {
  it("starts empty by default", async () => {
    const mem = new MemoryIo();
    expect(mem.size).toBe(0);
    expect(mem.snapshot().byteLength).toBe(0);
    expect(mem.name).toBe("memory");
    expect(mem.backend).toBe(mem);
    expect(mem.pollingHandle()).toBeNull();
    expect(await readAt(mem, 0, new Uint8Array(1))).toBe(0);
  });

  it("copies initial: later changes to the caller's bytes do not leak in", async () => {
    const initial = new Uint8Array([1, 2, 3, 4]);
    const mem = new MemoryIo(initial);
    initial[0] = 99;
    initial.fill(7, 1);
    expect(Array.from(mem.snapshot())).toEqual([1, 2, 3, 4]);
    const back = new Uint8Array(4);
    await readAt(mem, 0, back);
    expect(Array.from(back)).toEqual([1, 2, 3, 4]);
  });

  it("copies only the view it is given, not the whole backing buffer", () => {
    const backing = new Uint8Array([9, 1, 2, 9]);
    const mem = new MemoryIo(backing.subarray(1, 3));
    expect(Array.from(mem.snapshot())).toEqual([1, 2]);
  });

  it("writes do not reach the caller's bytes either, and snapshots are copies", async () => {
    const initial = new Uint8Array([1, 2]);
    const mem = new MemoryIo(initial);
    await writeAllAt(mem, 0, new Uint8Array([5, 6]));
    expect(Array.from(initial)).toEqual([1, 2]);
    const snap = mem.snapshot();
    snap[0] = 42;
    expect(Array.from(mem.snapshot())).toEqual([5, 6]);
  });

  it("checks initial", () => {
    expect(() => new MemoryIo([1, 2] as unknown as Uint8Array)).toThrow(/initial must be a Uint8Array/);
    expect(() => new MemoryIo(new Uint8Array(8), { maxSize: 4 })).toThrow(kind("InvalidInput", /maxSize/));
  });
});

describe("MemoryIo options (zod)", () => {
  it("an unknown key is InvalidInput naming the key", () => {
    const bad = { dleivery: "microtask" } as unknown as MemoryIoOptions;
    expect(() => new MemoryIo(undefined, bad)).toThrow(IoError);
    expect(() => new MemoryIo(undefined, bad)).toThrow(kind("InvalidInput", /unknown option "dleivery"/));
  });

  it("a bad enum value is InvalidInput naming the option", () => {
    const bad = { delivery: "eventually" } as unknown as MemoryIoOptions;
    expect(() => new MemoryIo(undefined, bad)).toThrow(kind("InvalidInput", /"delivery"/));
  });

  it.each<[string, unknown]>([
    ["negative", -1],
    ["fractional", 1.5],
    ["over 2^32", 2 ** 32 + 1],
    ["a string", "10"],
  ])("a %s maxSize is InvalidInput naming maxSize", (_label, maxSize) => {
    expect(() => new MemoryIo(undefined, { maxSize } as unknown as MemoryIoOptions)).toThrow(kind("InvalidInput", /"maxSize"/));
  });

  it("the error keeps zod's error as its cause", () => {
    let thrown: unknown;
    try {
      new MemoryIo(undefined, { nope: 1 } as unknown as MemoryIoOptions);
    } catch (error) {
      thrown = error;
    }
    expect(IoError.is(thrown, "InvalidInput")).toBe(true);
    expect((thrown as IoError).cause).toBeInstanceOf(Error);
  });
});

describe("maxSize", () => {
  it("writes up to maxSize succeed, writes beyond fail with NoSpace and change nothing", async () => {
    const mem = new MemoryIo(undefined, { maxSize: 8 });
    await writeAllAt(mem, 0, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(mem.size).toBe(8);
    await expect(writeAt(mem, 7, new Uint8Array([9, 9]))).rejects.toThrow(kind("NoSpace", /maxSize 8/));
    await expect(writeAt(mem, 100, new Uint8Array(1))).rejects.toThrow(kind("NoSpace"));
    expect(() => writeAllAtSync(mem, 8, new Uint8Array(1))).toThrow(kind("NoSpace"));
    expect(Array.from(mem.snapshot())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("maxSize 0 refuses every non-empty write", async () => {
    const mem = new MemoryIo(undefined, { maxSize: 0 });
    await expect(writeAt(mem, 0, new Uint8Array(1))).rejects.toThrow(kind("NoSpace"));
    expect(await writeAt(mem, 0, new Uint8Array(0))).toBe(0);
  });

  it("an empty write past the end leaves the size as it is (as pwrite of 0 bytes does)", async () => {
    const mem = new MemoryIo(new Uint8Array([1, 2]));
    expect(await writeAt(mem, 10, new Uint8Array(0))).toBe(0);
    expect(mem.size).toBe(2);
    expect(writeAtSync(mem, 5, new Uint8Array(0))).toBe(0);
    expect(mem.size).toBe(2);
  });

  it("truncate beyond maxSize is InvalidInput", () => {
    const mem = new MemoryIo(undefined, { maxSize: 16 });
    expect(() => mem.truncate(17)).toThrow(kind("InvalidInput", /length/));
    mem.truncate(16);
    expect(mem.size).toBe(16);
  });
});

describe("truncate", () => {
  it("growing zero-fills", () => {
    const mem = new MemoryIo(new Uint8Array([1, 2]));
    mem.truncate(5);
    expect(Array.from(mem.snapshot())).toEqual([1, 2, 0, 0, 0]);
  });

  it("shrinking forgets the tail: reads stop there", async () => {
    const mem = new MemoryIo(new Uint8Array([1, 2, 3, 4, 5, 6]));
    mem.truncate(2);
    expect(mem.size).toBe(2);
    expect(Array.from(await readToEnd(mem))).toEqual([1, 2]);
    expect(await readAt(mem, 2, new Uint8Array(4))).toBe(0);
  });

  it("a write past the new end does not resurrect old bytes", async () => {
    const mem = new MemoryIo(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    mem.truncate(2);
    await writeAllAt(mem, 6, new Uint8Array([0xff]));
    expect(Array.from(mem.snapshot())).toEqual([1, 2, 0, 0, 0, 0, 0xff]);
    mem.truncate(1);
    mem.truncate(4);
    expect(Array.from(mem.snapshot())).toEqual([1, 0, 0, 0]);
  });

  it("checks its argument", () => {
    const mem = new MemoryIo();
    expect(() => mem.truncate(-1)).toThrow(kind("InvalidInput", /length/));
    expect(() => mem.truncate(1.5)).toThrow(kind("InvalidInput"));
    expect(() => mem.truncate("3" as unknown as number)).toThrow(TypeError);
  });
});

describe("close", () => {
  it("serves what is queued, then fails new packets with Closed", async () => {
    const mem = new MemoryIo(new Uint8Array([1, 2, 3]));
    const queued = io(mem, 0, Packet.alloc(3, Write));
    expect(mem.inFlight).toBe(1);
    await mem.close();
    expect(mem.inFlight).toBe(0);
    expect(await queued).toEqual({ transferred: 3, error: undefined });

    const after = await io(mem, 0, Packet.alloc(1, Write));
    expect(after.transferred).toBe(0);
    expect(after.error).toEqual(kind("Closed"));
    expect(after.error?.backend).toBe("memory");
    await expect(readAt(mem, 0, new Uint8Array(1))).rejects.toThrow(kind("Closed"));
    await expect(writeAt(mem, 0, new Uint8Array(1))).rejects.toThrow(kind("Closed"));
    expect(() => readAtSync(mem, 0, new Uint8Array(1))).toThrow(kind("Closed"));
    await mem.close();
  });
});

describe("sendIo's own checks", () => {
  it("fails a bad position with InvalidInput instead of throwing", async () => {
    const mem = new MemoryIo(new Uint8Array(4));
    for (const pos of [-1, 0.5, 2n ** 60n, "0"] as unknown as Pos[]) {
      const result = await io(mem, pos, Packet.alloc(1, Write));
      expect(result.transferred).toBe(0);
      expect(result.error).toEqual(kind("InvalidInput", /pos/));
    }
  });

  it("fails a ReadWrite packet, which has no single direction", async () => {
    const mem = new MemoryIo(new Uint8Array(4));
    const result = await io(mem, 0, Packet.alloc(2, ReadWrite));
    expect(result.error).toEqual(kind("InvalidInput", /ReadWrite/));
  });

  it("a read half past the end completes the inside part and fails the rest", async () => {
    const mem = new MemoryIo(new Uint8Array([1, 2, 3]));
    const packet = Packet.alloc(5, Write);
    const result = await io(mem, 1, packet);
    expect(result.transferred).toBe(2);
    expect(result.error).toEqual(kind("UnexpectedEof"));
    expect(Array.from(packet.bytes)).toEqual([2, 3, 0, 0, 0]);
  });
});

describe("blockOn and inFlight", () => {
  it("inFlight counts packets sent and not yet served", async () => {
    const mem = new MemoryIo(new Uint8Array(16));
    expect(mem.inFlight).toBe(0);
    const results = [io(mem, 0, Packet.alloc(4, Write)), io(mem, 4, Packet.alloc(4, Write)), io(mem, 8, Packet.wrap(new Uint8Array(2), Read))];
    expect(mem.inFlight).toBe(3);
    await Promise.all(results);
    expect(mem.inFlight).toBe(0);
  });

  it("blockOn serves the queue on this thread", () => {
    const mem = new MemoryIo(new Uint8Array([5, 6, 7]));
    const packet = Packet.alloc(3, Write);
    let done = false;
    void io(mem, 0, packet).then(() => (done = true));
    expect(mem.inFlight).toBe(1);
    mem.blockOn(() => !packet.inFlight);
    expect(mem.inFlight).toBe(0);
    expect(packet.inFlight).toBe(false);
    expect(Array.from(packet.bytes)).toEqual([5, 6, 7]);
    // The promise itself still resolves later, on the event loop.
    expect(done).toBe(false);
  });

  it("blockOn returns at once when already done", () => {
    const mem = new MemoryIo();
    expect(() => mem.blockOn(() => true)).not.toThrow();
  });

  it("blockOn with nothing queued and an unsettled packet throws", () => {
    const mem = new MemoryIo();
    expect(() => mem.blockOn(() => false)).toThrow(kind("Busy", /nothing queued/));

    // A target that keeps its views and names the MemoryIo as its backend: ioSync cannot finish.
    const held: BoundPacketView<Write>[] = [];
    const stalling = { backend: mem, sendIo: (_pos: Pos, view: BoundPacketView<Write>) => void held.push(view) };
    const packet = Packet.alloc(1, Write);
    expect(() => ioSync(stalling, 0, packet)).toThrow(kind("Busy", /nothing queued/));
    expect(held).toHaveLength(1);
    // The caller was answered with the throw, and so was the packet: the target still holding the
    // view finds it settled (it must not write into the caller's buffer any more).
    expect(held[0]?.settled).toBe(true);
    expect(packet.result?.error).toEqual(expect.objectContaining({ kind: "Busy" }));
    expect(() => held[0]?.complete()).toThrow(/already settled/);
  });
});

describe('delivery "macrotask"', () => {
  it("serves packets after the microtask queue has run", async () => {
    const mem = new MemoryIo(new Uint8Array([1, 2, 3, 4]), { delivery: "macrotask" });
    const packet = Packet.alloc(4, Write);
    const pending = io(mem, 0, packet);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(packet.inFlight).toBe(true);
    expect(mem.inFlight).toBe(1);
    expect(await pending).toEqual({ transferred: 4, error: undefined });
    expect(Array.from(packet.bytes)).toEqual([1, 2, 3, 4]);
  });

  it("whereas microtask delivery serves them within the same tick", async () => {
    const mem = new MemoryIo(new Uint8Array([1]));
    const packet = Packet.alloc(1, Write);
    void io(mem, 0, packet);
    await Promise.resolve();
    expect(packet.inFlight).toBe(false);
  });

  it("reads, writes and sync helpers all work", async () => {
    const mem = new MemoryIo(undefined, { delivery: "macrotask" });
    await writeAllAt(mem, 2, new Uint8Array([8, 9]));
    writeAllAtSync(mem, 0, new Uint8Array([6, 7]));
    expect(Array.from(await readToEnd(mem))).toEqual([6, 7, 8, 9]);
    const dst = new Uint8Array(4);
    expect(readAtSync(mem, 0, dst)).toBe(4);
    expect(Array.from(dst)).toEqual([6, 7, 8, 9]);
    const many = await Promise.all(Array.from({ length: 64 }, (_, i) => readAt(mem, i % 5, new Uint8Array(1))));
    expect(many.filter((count) => count === 1)).toHaveLength(52);
  });
});
