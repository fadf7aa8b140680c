import { describe, expect, it } from "vitest";
import { Cursor, IoError, MemoryIo, readNumberAt, writeNumberAt, whenReleased, type BoundPacketView, type NumberType, type PacketIo, type Perm, type Pos } from "../src/index.js";

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const invalid = (message: RegExp): unknown => expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(message) });

describe("Cursor position", () => {
  it("starts at 0 or at the given position, number or bigint", () => {
    const mem = new MemoryIo();
    expect(new Cursor(mem).position).toBe(0);
    expect(new Cursor(mem, 7).position).toBe(7);
    const fromBig = new Cursor(mem, 2n ** 40n);
    expect(fromBig.position).toBe(2 ** 40);
    expect(typeof fromBig.position).toBe("number");
    expect(fromBig.target).toBe(mem);
  });

  it("rejects a bad starting position", () => {
    const mem = new MemoryIo();
    expect(() => new Cursor(mem, -1)).toThrow(invalid(/position/));
    expect(() => new Cursor(mem, 1.5)).toThrow(invalid(/position/));
    expect(() => new Cursor(mem, 2n ** 53n)).toThrow(invalid(/position/));
    expect(() => new Cursor(mem, "3" as unknown as number)).toThrow(TypeError);
  });

  it("seek moves to an absolute position and returns it", () => {
    const cursor = new Cursor(new MemoryIo());
    expect(cursor.seek(10)).toBe(10);
    expect(cursor.position).toBe(10);
    expect(cursor.seek(3n)).toBe(3);
    expect(cursor.position).toBe(3);
    expect(() => cursor.seek(-5)).toThrow(invalid(/position/));
    expect(() => cursor.seek(Number.NaN)).toThrow(IoError);
    expect(cursor.position).toBe(3);
  });

  it("skip moves by a delta, backwards too, but never before 0", () => {
    const cursor = new Cursor(new MemoryIo(), 5);
    expect(cursor.skip(4)).toBe(9);
    expect(cursor.skip(-9)).toBe(0);
    expect(cursor.skip(0)).toBe(0);
    expect(() => cursor.skip(-1)).toThrow(invalid(/position must be a non-negative/));
    expect(cursor.position).toBe(0);
    cursor.seek(2);
    expect(() => cursor.skip(-3)).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    expect(() => cursor.skip(0.5)).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    expect(cursor.position).toBe(2);
  });
});

describe("Cursor reads and writes (async)", () => {
  it("read advances by the count, short at the end", async () => {
    const cursor = new Cursor(new MemoryIo(bytes(1, 2, 3, 4, 5)));
    const dst = new Uint8Array(3);
    expect(await cursor.read(dst)).toBe(3);
    expect(Array.from(dst)).toEqual([1, 2, 3]);
    expect(cursor.position).toBe(3);
    expect(await cursor.read(dst)).toBe(2);
    expect(Array.from(dst.subarray(0, 2))).toEqual([4, 5]);
    expect(cursor.position).toBe(5);
    expect(await cursor.read(dst)).toBe(0);
    expect(cursor.position).toBe(5);
  });

  it("readExact advances by the length, and not at all when it fails", async () => {
    const cursor = new Cursor(new MemoryIo(bytes(9, 8, 7, 6)));
    const dst = new Uint8Array(2);
    await cursor.readExact(dst);
    expect(Array.from(dst)).toEqual([9, 8]);
    expect(cursor.position).toBe(2);
    await expect(cursor.readExact(new Uint8Array(3))).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(cursor.position).toBe(2);
    await cursor.readExact(dst);
    expect(Array.from(dst)).toEqual([7, 6]);
    expect(cursor.position).toBe(4);
  });

  it("writeAll advances by the length and writes where the cursor is", async () => {
    const mem = new MemoryIo();
    const cursor = new Cursor(mem, 2);
    await cursor.writeAll(bytes(1, 2));
    expect(cursor.position).toBe(4);
    await cursor.writeAll(bytes(3));
    expect(cursor.position).toBe(5);
    cursor.seek(0);
    await cursor.writeAll(bytes(0xa));
    expect(cursor.position).toBe(1);
    expect(Array.from(mem.snapshot())).toEqual([0xa, 0, 1, 2, 3]);
  });

  it("readNumber and writeNumber advance by the type's size", async () => {
    const mem = new MemoryIo();
    const writer = new Cursor(mem);
    await writer.writeNumber("u8", 0xff);
    expect(writer.position).toBe(1);
    await writer.writeNumber("u16be", 0x1234);
    expect(writer.position).toBe(3);
    await writer.writeNumber("i32le", -2);
    expect(writer.position).toBe(7);
    await writer.writeNumber("u64be", 2n ** 60n);
    expect(writer.position).toBe(15);
    await writer.writeNumber("f32le", 0.5);
    expect(writer.position).toBe(19);
    await writer.writeNumber("f64be", -1.25);
    expect(writer.position).toBe(27);
    await writer.writeNumber("i8", -1);
    expect(writer.position).toBe(28);
    expect(mem.size).toBe(28);

    const reader = new Cursor(mem);
    expect(await reader.readNumber("u8")).toBe(0xff);
    expect(await reader.readNumber("u16be")).toBe(0x1234);
    expect(await reader.readNumber("i32le")).toBe(-2);
    expect(await reader.readNumber("u64be")).toBe(2n ** 60n);
    expect(await reader.readNumber("f32le")).toBe(0.5);
    expect(await reader.readNumber("f64be")).toBe(-1.25);
    expect(await reader.readNumber("i8")).toBe(-1);
    expect(reader.position).toBe(28);
  });

  it("a failed number read or write leaves the position alone", async () => {
    const mem = new MemoryIo(bytes(1, 2, 3));
    const cursor = new Cursor(mem, 1);
    await expect(cursor.readNumber("u32le")).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(cursor.position).toBe(1);
    await expect(cursor.writeNumber("u8", 300)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    expect(cursor.position).toBe(1);
    await expect(cursor.readNumber("u24le" as NumberType)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    expect(cursor.position).toBe(1);
    expect(Array.from(mem.snapshot())).toEqual([1, 2, 3]);
  });
});

describe("Cursor reads and writes (sync)", () => {
  it("readSync, readExactSync and writeAllSync advance like their async twins", () => {
    const mem = new MemoryIo();
    const cursor = new Cursor(mem);
    cursor.writeAllSync(bytes(5, 6, 7, 8, 9));
    expect(cursor.position).toBe(5);
    cursor.seek(1);
    const dst = new Uint8Array(3);
    expect(cursor.readSync(dst)).toBe(3);
    expect(Array.from(dst)).toEqual([6, 7, 8]);
    expect(cursor.position).toBe(4);
    expect(cursor.readSync(dst)).toBe(1);
    expect(cursor.position).toBe(5);
    cursor.seek(3);
    cursor.readExactSync(dst.subarray(0, 2));
    expect(Array.from(dst.subarray(0, 2))).toEqual([8, 9]);
    expect(cursor.position).toBe(5);
    expect(() => cursor.readExactSync(new Uint8Array(1))).toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(cursor.position).toBe(5);
  });

  it("readNumberSync and writeNumberSync advance by the type's size", () => {
    const mem = new MemoryIo();
    const cursor = new Cursor(mem, 1n);
    cursor.writeNumberSync("u32be", 0xdeadbeef);
    expect(cursor.position).toBe(5);
    cursor.writeNumberSync("i64le", -3n);
    expect(cursor.position).toBe(13);
    cursor.writeNumberSync("i16le", -300);
    expect(cursor.position).toBe(15);
    expect(Array.from(mem.snapshot().subarray(0, 5))).toEqual([0, 0xde, 0xad, 0xbe, 0xef]);

    cursor.seek(1);
    expect(cursor.readNumberSync("u32be")).toBe(0xdeadbeef);
    expect(cursor.readNumberSync("i64le")).toBe(-3n);
    expect(cursor.readNumberSync("i16le")).toBe(-300);
    expect(cursor.position).toBe(15);
    expect(() => cursor.readNumberSync("u8")).toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(cursor.position).toBe(15);
  });

  it("sync on a target without a blocking backend is Unsupported and does not move", () => {
    const mem = new MemoryIo(bytes(1, 2, 3, 4));
    const target = { sendIo: mem.sendIo.bind(mem) };
    const cursor = new Cursor(target, 1);
    expect(() => cursor.readSync(new Uint8Array(1))).toThrow(expect.objectContaining({ kind: "Unsupported" }));
    expect(() => cursor.writeNumberSync("u8", 1)).toThrow(expect.objectContaining({ kind: "Unsupported" }));
    expect(cursor.position).toBe(1);
  });
});

describe("Cursor arguments", () => {
  it("passes bad buffers through to the helpers' checks", async () => {
    const cursor = new Cursor(new MemoryIo(bytes(1)));
    await expect(cursor.read([1] as unknown as Uint8Array)).rejects.toThrow(/dst must be a Uint8Array/);
    expect(() => cursor.writeAllSync("x" as unknown as Uint8Array)).toThrow(/src must be a Uint8Array/);
    expect(cursor.position).toBe(0);
  });
});

describe("Cursor misuse", () => {
  it("skip takes a number or bigint and refuses what is not a safe integer", () => {
    const cursor = new Cursor(new MemoryIo(), 10);
    expect(() => cursor.skip(-100)).toThrow(invalid(/position must be a non-negative/));
    expect(cursor.skip(-10n)).toBe(0);
    expect(cursor.skip(5n)).toBe(5);
    expect(cursor.skip(-2n)).toBe(3);
    expect(() => cursor.skip(1.5)).toThrow(invalid(/delta/));
    expect(() => cursor.skip(Number.NaN)).toThrow(invalid(/delta/));
    expect(() => cursor.skip(2n ** 60n)).toThrow(invalid(/delta/));
    expect(() => cursor.skip("3" as unknown as number)).toThrow(invalid(/delta/));
    expect(cursor.position).toBe(3);
  });

  it("a call made while an async one is in flight fails Busy instead of reusing its position", async () => {
    const mem = new MemoryIo();
    const cursor = new Cursor(mem);
    const first = cursor.writeAll(bytes(1, 2, 3, 4));
    const busy = expect.objectContaining({ kind: "Busy", message: expect.stringMatching(/writeAll has not settled/) });
    const second = cursor.writeAll(bytes(5, 6, 7, 8));
    expect(() => cursor.seek(0)).toThrow(busy);
    expect(() => cursor.readSync(new Uint8Array(1))).toThrow(busy);
    await expect(second).rejects.toThrow(busy);
    await first;
    expect(cursor.position).toBe(4);
    // Awaited one after the other, calls go on from where the last stopped.
    await cursor.writeAll(bytes(5, 6, 7, 8));
    expect(cursor.position).toBe(8);
    const back = new Uint8Array(8);
    expect(await new Cursor(mem).read(back)).toBe(8);
    expect([...back]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // A failed call frees the cursor too.
    await expect(cursor.readExact(new Uint8Array(4))).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(cursor.seek(0)).toBe(0);
  });
});

/** A target that never completes what it is sent (a stuck device, a server that stopped answering). */
class StuckIo implements PacketIo<Perm, Pos> {
  readonly held: BoundPacketView<Perm>[] = [];
  sendIo(_pos: Pos, view: BoundPacketView<Perm>): void {
    this.held.push(view);
  }
}

describe("Cursor deadlines and aborts", () => {
  it("a call that never completes is settled by timeoutMs (TimedOut), frees the cursor and leaves the position", async () => {
    const target = new StuckIo();
    const cursor = new Cursor(target as unknown as MemoryIo, 8);
    const dst = new Uint8Array(4);
    const read = cursor.read(dst, { timeoutMs: 10 });
    expect(() => cursor.seek(0)).toThrow(expect.objectContaining({ kind: "Busy", message: expect.stringMatching(/timeoutMs or a signal/) }));
    await expect(read).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
    expect(cursor.position).toBe(8);
    // The read is still the target's: its buffer comes back when the target lets go.
    expect(target.held).toHaveLength(1);
    const back = whenReleased(dst);
    target.held[0]?.complete();
    await back;
    await expect(cursor.readExact(new Uint8Array(2), { timeoutMs: 10 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
    await expect(cursor.writeAll(new Uint8Array(2), { timeoutMs: 10 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
    await expect(cursor.writeNumber("u32le", 7, { timeoutMs: 10 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
    expect(cursor.position).toBe(8);
  });

  it("a signal aborts a stuck readNumber (Aborted) and the cursor serves the next call", async () => {
    const target = new StuckIo();
    const cursor = new Cursor(target as unknown as MemoryIo);
    const controller = new AbortController();
    const number = cursor.readNumber("u64be", { signal: controller.signal });
    controller.abort();
    await expect(number).rejects.toThrow(expect.objectContaining({ kind: "Aborted" }));
    expect(cursor.seek(4)).toBe(4);
  });

  it("readNumberAt and writeNumberAt take the same options", async () => {
    const target = new StuckIo();
    await expect(readNumberAt(target, 0, "u32le", { timeoutMs: 10 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
    await expect(writeNumberAt(target, 0, "i64be", 1n, { signal: AbortSignal.abort() })).rejects.toThrow(expect.objectContaining({ kind: "Aborted" }));
  });

  it("options reach the helpers' checks, and a working target behaves as without them", async () => {
    const mem = new MemoryIo();
    const cursor = new Cursor(mem);
    await expect(cursor.writeAll(bytes(1, 2), { timeoutMs: -1 })).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    expect(cursor.position).toBe(0);
    await cursor.writeAll(bytes(1, 2, 3, 4), { timeoutMs: 1000 });
    await cursor.writeNumber("u16le", 0x0605, { timeoutMs: 1000 });
    cursor.seek(0);
    expect(await cursor.readNumber("u32be", { timeoutMs: 1000 })).toBe(0x01020304);
    expect(cursor.readNumberSync("u16le", { timeoutMs: 1000 })).toBe(0x0605);
    cursor.seek(0);
    const dst = new Uint8Array(6);
    cursor.readExactSync(dst, { timeoutMs: 1000 });
    expect([...dst]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
