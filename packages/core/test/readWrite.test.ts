import { describe, expect, it } from "vitest";
import {
  IoError,
  MemoryIo,
  PartialWriteError,
  readAt,
  readAtSync,
  readExactAt,
  readExactAtSync,
  readNumberAt,
  readToEnd,
  readToEndSync,
  writeAllAt,
  writeAllAtSync,
  writeAt,
  writeAtSync,
  type BoundPacketView,
  type IoErrorKind,
  type PacketIo,
  type Pos,
  type Read,
  type Write,
} from "../src/index.js";

/** Deterministic pseudo-random bytes (xorshift32), so large comparisons mean something. */
function pattern(length: number, seed = 0x9e3779b9): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A target that fails every view it gets with `kind`, after completing the first `ok` bytes. */
function failing(kind: IoErrorKind, ok = 0): PacketIo<Write, Pos> & PacketIo<Read, Pos> {
  return {
    sendIo(_pos: Pos, view: BoundPacketView<Write> | BoundPacketView<Read>): void {
      let rest = view;
      if (ok > 0 && ok < view.length) {
        const [head, tail] = view.splitAt(ok);
        head.complete();
        rest = tail;
      }
      rest.fail(new IoError(kind, `${kind} from the test target`, { op: "test" }));
    },
  };
}

const expectKind = (kind: IoErrorKind, message?: RegExp): unknown =>
  expect.objectContaining({ kind, ...(message === undefined ? {} : { message: expect.stringMatching(message) }) });

describe("reads over MemoryIo", () => {
  const data = pattern(100);

  it("readAt fills dst in full when the data is there", async () => {
    const mem = new MemoryIo(data);
    const dst = new Uint8Array(40);
    expect(await readAt(mem, 10, dst)).toBe(40);
    expect(Array.from(dst)).toEqual(Array.from(data.subarray(10, 50)));
    expect(readAtSync(mem, 10, new Uint8Array(40))).toBe(40);
  });

  it("readAt is short only at the end of the data", async () => {
    const mem = new MemoryIo(data);
    const dst = new Uint8Array(30).fill(0xee);
    expect(await readAt(mem, 90, dst)).toBe(10);
    expect(Array.from(dst.subarray(0, 10))).toEqual(Array.from(data.subarray(90)));
    // The bytes past the count are left as they were.
    expect(dst.subarray(10).every((byte) => byte === 0xee)).toBe(true);
    expect(await readAt(mem, 100, dst)).toBe(0);
    expect(await readAt(mem, 5000, dst)).toBe(0);
    expect(readAtSync(mem, 90, new Uint8Array(30))).toBe(10);
    expect(readAtSync(mem, 100, new Uint8Array(30))).toBe(0);
  });

  it("readAt of an empty dst reads nothing", async () => {
    const mem = new MemoryIo(data);
    expect(await readAt(mem, 0, new Uint8Array(0))).toBe(0);
    expect(await readAt(mem, 1000, new Uint8Array(0))).toBe(0);
  });

  it("readAt treats Outside like the end of the data", async () => {
    expect(await readAt(failing("Outside", 3), 0, new Uint8Array(8))).toBe(3);
    expect(readAtSync(Object.assign(failing("UnexpectedEof", 5), { backend: new MemoryIo() }), 0, new Uint8Array(8))).toBe(5);
  });

  it("readExactAt fills dst or throws UnexpectedEof with the counts", async () => {
    const mem = new MemoryIo(data);
    const dst = new Uint8Array(20);
    await readExactAt(mem, 80, dst);
    expect(Array.from(dst)).toEqual(Array.from(data.subarray(80)));
    await expect(readExactAt(mem, 90, new Uint8Array(16))).rejects.toThrow(expectKind("UnexpectedEof", /needed 16 bytes at 90.*after 10/));
    expect(() => readExactAtSync(mem, 90, new Uint8Array(16))).toThrow(expectKind("UnexpectedEof", /needed 16 bytes at 90.*after 10/));
    await expect(readExactAt(mem, 100, new Uint8Array(1))).rejects.toThrow(expectKind("UnexpectedEof", /after 0/));
    expect(() => readExactAtSync(mem, 0, new Uint8Array(100))).not.toThrow();
  });

  it("readExactAt's error keeps the backend's EOF error as its cause", async () => {
    const error = await readExactAt(new MemoryIo(data), 95, new Uint8Array(10)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(IoError.is(error, "UnexpectedEof")).toBe(true);
    expect(IoError.is((error as Error).cause, "UnexpectedEof")).toBe(true);
  });
});

describe("readAt, readExactAt and readNumberAt over a target's DirectAsync", () => {
  /** MemoryIo whose packet-free read serves the first `serve` calls (then declines), counting calls. */
  class DirectMemory extends MemoryIo {
    calls = 0;
    constructor(
      bytes: Uint8Array,
      private serve: number,
    ) {
      super(bytes);
    }
    readAtDirectAsync(pos: number, dst: Uint8Array): Promise<number> | undefined {
      // As FileHandle's: whatever the packet path would refuse is declined, so its error is the one heard.
      if (!(dst instanceof Uint8Array) || this.serve-- <= 0) return undefined;
      this.calls++;
      return readAt(new MemoryIo(data), pos, dst, {});
    }
  }
  const data = pattern(100, 11);

  it("readExactAt takes the direct read without options: whole is undefined, short is the packet path's UnexpectedEof", async () => {
    const target = new DirectMemory(data, 3);
    const dst = new Uint8Array(16);
    await expect(readExactAt(target, 10, dst)).resolves.toBeUndefined();
    expect(Array.from(dst)).toEqual(Array.from(data.subarray(10, 26)));
    const direct = await readExactAt(target, 90, new Uint8Array(16)).then(() => undefined, (error: unknown) => error as IoError);
    expect(target.calls).toBe(2);
    const packet = await readExactAt(target, 90, new Uint8Array(16), {}).then(() => undefined, (error: unknown) => error as IoError);
    expect(target.calls).toBe(2);
    expect(direct?.kind).toBe("UnexpectedEof");
    expect(direct?.message).toBe(packet?.message);
    expect(direct?.message).toMatch(/needed 16 bytes at 90, the data ends after 10/);
    // readAt gives the short count as it is.
    expect(await readAt(target, 95, new Uint8Array(16))).toBe(5);
    expect(target.calls).toBe(3);
    // Declined (serve used up): the packet path, same answers.
    await expect(readExactAt(target, 90, new Uint8Array(16))).rejects.toThrow(expectKind("UnexpectedEof", /after 10/));
    expect(target.calls).toBe(3);
  });

  it("a missing dst is the TypeError naming it, as with options; a target whose direct read throws rejects with an IoError", async () => {
    const target = new DirectMemory(data, 100);
    for (const dst of [null, undefined, 5]) {
      for (const read of [readAt, readExactAt] as const) {
        const bare = await read(target, 0, dst as unknown as Uint8Array).then(() => undefined, (error: unknown) => error as IoError);
        const withOptions = await read(target, 0, dst as unknown as Uint8Array, {}).then(() => undefined, (error: unknown) => error as IoError);
        expect(bare, String(dst)).toBeInstanceOf(TypeError);
        expect(bare?.message).toMatch(/dst must be a Uint8Array/);
        expect(bare?.message).toBe(withOptions?.message);
      }
    }
    class Throwing extends MemoryIo {
      readAtDirectAsync(): Promise<number> {
        throw new TypeError("broken target");
      }
    }
    for (const read of [() => readAt(new Throwing(data), 0, new Uint8Array(4)), () => readExactAt(new Throwing(data), 0, new Uint8Array(4)), () => readNumberAt(new Throwing(data), 0, "u32le")]) {
      const error = await read().then(() => undefined, (thrown: unknown) => thrown);
      expect(IoError.is(error, "Other")).toBe(true);
      expect((error as Error).message).toMatch(/readAtDirectAsync threw: TypeError: broken target/);
    }
  });

  it("readNumberAt decodes a direct read, and a short one is the packet path's UnexpectedEof", async () => {
    const target = new DirectMemory(data, 2);
    const view = new DataView(data.buffer, data.byteOffset);
    expect(await readNumberAt(target, 7, "u32be")).toBe(view.getUint32(7, false));
    const direct = await readNumberAt(target, 97, "u32le").then(() => undefined, (error: unknown) => error as IoError);
    expect(target.calls).toBe(2);
    const packet = await readNumberAt(target, 97, "u32le").then(() => undefined, (error: unknown) => error as IoError);
    expect(target.calls).toBe(2);
    expect(direct?.kind).toBe("UnexpectedEof");
    expect(direct?.message).toBe(packet?.message);
    expect(await readNumberAt(target, 7, "u32be")).toBe(view.getUint32(7, false));
  });
});

describe("readToEnd", () => {
  it("of empty data is an empty array, async and sync", async () => {
    const mem = new MemoryIo();
    expect((await readToEnd(mem)).byteLength).toBe(0);
    expect(readToEndSync(mem).byteLength).toBe(0);
  });

  it("of exactly 64 KiB (the first chunk size)", async () => {
    const data = pattern(64 * 1024, 7);
    const mem = new MemoryIo(data);
    const all = await readToEnd(mem);
    expect(all.byteLength).toBe(64 * 1024);
    expect(sameBytes(all, data)).toBe(true);
    expect(sameBytes(readToEndSync(mem), data)).toBe(true);
  });

  it("of several MiB, through several growing chunks", async () => {
    const data = pattern(3 * 1024 * 1024 + 12_345, 11);
    const mem = new MemoryIo(data);
    const all = await readToEnd(mem);
    expect(all.byteLength).toBe(data.byteLength);
    expect(sameBytes(all, data)).toBe(true);
    const sync = readToEndSync(mem);
    expect(sync.byteLength).toBe(data.byteLength);
    expect(sameBytes(sync, data)).toBe(true);
  });

  it("from a middle position, and from past the end", async () => {
    const data = pattern(200_000, 3);
    const mem = new MemoryIo(data);
    expect(sameBytes(await readToEnd(mem, 70_001), data.subarray(70_001))).toBe(true);
    expect(sameBytes(readToEndSync(mem, 70_001n), data.subarray(70_001))).toBe(true);
    expect((await readToEnd(mem, 200_000)).byteLength).toBe(0);
    expect(readToEndSync(mem, 999_999).byteLength).toBe(0);
  });

  it("throws a non-EOF error instead of returning what it has", async () => {
    await expect(readToEnd(failing("PermissionDenied", 10))).rejects.toThrow(expectKind("PermissionDenied"));
  });
});

describe("writes over MemoryIo", () => {
  it("writeAt and writeAllAt store the bytes and report the count", async () => {
    const mem = new MemoryIo();
    expect(await writeAt(mem, 0, new Uint8Array([1, 2, 3]))).toBe(3);
    await writeAllAt(mem, 3, new Uint8Array([4, 5]));
    expect(writeAtSync(mem, 1, new Uint8Array([9]))).toBe(1);
    writeAllAtSync(mem, 5, new Uint8Array([6]));
    expect(Array.from(mem.snapshot())).toEqual([1, 9, 3, 4, 5, 6]);
  });

  it("a write past the end zero-fills the gap", async () => {
    const mem = new MemoryIo(new Uint8Array([0xaa, 0xbb]));
    await writeAllAt(mem, 6, new Uint8Array([0xcc, 0xdd]));
    expect(Array.from(mem.snapshot())).toEqual([0xaa, 0xbb, 0, 0, 0, 0, 0xcc, 0xdd]);
    writeAllAtSync(mem, 10, new Uint8Array([0xee]));
    expect(Array.from(mem.snapshot())).toEqual([0xaa, 0xbb, 0, 0, 0, 0, 0xcc, 0xdd, 0, 0, 0xee]);
    expect(mem.size).toBe(11);
  });

  it("an empty write changes nothing", async () => {
    const mem = new MemoryIo(new Uint8Array([1]));
    expect(await writeAt(mem, 0, new Uint8Array(0))).toBe(0);
    expect(Array.from(mem.snapshot())).toEqual([1]);
  });

  it("a large write round trips", async () => {
    const data = pattern(1024 * 1024 + 1, 5);
    const mem = new MemoryIo();
    await writeAllAt(mem, 1, data);
    const back = new Uint8Array(data.byteLength);
    await readExactAt(mem, 1, back);
    expect(sameBytes(back, data)).toBe(true);
    expect(mem.snapshot()[0]).toBe(0);
  });
});

describe("non-EOF errors throw", () => {
  const target = failing("PermissionDenied");
  const blocking = Object.assign(failing("PermissionDenied"), { backend: new MemoryIo() });

  it("from every async helper", async () => {
    await expect(readAt(target, 0, new Uint8Array(4))).rejects.toThrow(expectKind("PermissionDenied"));
    await expect(readExactAt(target, 0, new Uint8Array(4))).rejects.toThrow(expectKind("PermissionDenied"));
    await expect(readToEnd(target)).rejects.toThrow(expectKind("PermissionDenied"));
    await expect(writeAt(target, 0, new Uint8Array(4))).rejects.toThrow(expectKind("PermissionDenied"));
    await expect(writeAllAt(target, 0, new Uint8Array(4))).rejects.toThrow(expectKind("PermissionDenied"));
  });

  it("even after a successful head", async () => {
    await expect(readAt(failing("PermissionDenied", 2), 0, new Uint8Array(4))).rejects.toThrow(expectKind("PermissionDenied"));
  });

  it("except a write that moved bytes: writeAt returns the short count, writeAllAt throws the kind with transferred", async () => {
    await expect(writeAt(failing("NoSpace", 2), 0, new Uint8Array(4))).resolves.toBe(2);
    const error = await writeAllAt(failing("NoSpace", 2), 0, new Uint8Array(4)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(PartialWriteError);
    expect(error).toMatchObject({ kind: "NoSpace", transferred: 2 });
    expect((error as Error).message).toMatch(/wrote 2 of 4 bytes/);
  });

  it("writeAllAt's message counts the bytes asked for, even when the caller detached src in flight", async () => {
    let held: BoundPacketView<Read> | undefined;
    const target: PacketIo<Read, Pos> = { sendIo: (_pos, view) => void (held = view as BoundPacketView<Read>) };
    const src = new Uint8Array(4096);
    const write = writeAllAt(target, 0, src).catch((thrown: unknown) => thrown);
    structuredClone(src.buffer, { transfer: [src.buffer] });
    const [head, tail] = held!.splitAt(1024);
    head.complete();
    tail.fail(new IoError("InvalidInput", "the buffer was detached", { op: "test" }));
    const error = await write;
    expect(error).toMatchObject({ kind: "InvalidInput", transferred: 1024 });
    expect((error as Error).message).toMatch(/wrote 1024 of 4096 bytes/);
  });

  it("from every sync helper", () => {
    expect(() => readAtSync(blocking, 0, new Uint8Array(4))).toThrow(expectKind("PermissionDenied"));
    expect(() => readExactAtSync(blocking, 0, new Uint8Array(4))).toThrow(expectKind("PermissionDenied"));
    expect(() => readToEndSync(blocking)).toThrow(expectKind("PermissionDenied"));
    expect(() => writeAtSync(blocking, 0, new Uint8Array(4))).toThrow(expectKind("PermissionDenied"));
    expect(() => writeAllAtSync(blocking, 0, new Uint8Array(4))).toThrow(expectKind("PermissionDenied"));
  });
});

describe("*Sync without a blocking backend", () => {
  const data = new MemoryIo(new Uint8Array(8));
  // Forwards to a MemoryIo but has no `backend` of its own.
  const noBackend: PacketIo<Write, Pos> & PacketIo<Read, Pos> = {
    sendIo: (pos: Pos, view: BoundPacketView<Write> | BoundPacketView<Read>) => data.sendIo(pos, view),
  };
  const cannotBlock = Object.assign(Object.create(noBackend) as typeof noBackend, {
    backend: { name: "async-only", pollingHandle: () => null, close: () => Promise.resolve() },
  });

  it("the async helpers work on it", async () => {
    expect(await readAt(noBackend, 0, new Uint8Array(4))).toBe(4);
  });

  it.each([
    ["readAtSync", () => readAtSync(noBackend, 0, new Uint8Array(1))],
    ["readExactAtSync", () => readExactAtSync(noBackend, 0, new Uint8Array(1))],
    ["readToEndSync", () => readToEndSync(noBackend)],
    ["writeAtSync", () => writeAtSync(noBackend, 0, new Uint8Array(1))],
    ["writeAllAtSync", () => writeAllAtSync(noBackend, 0, new Uint8Array(1))],
  ])("%s throws Unsupported, saying the target has no backend", (_name, call) => {
    expect(call).toThrow(IoError);
    expect(call).toThrow(expectKind("Unsupported", /synchronous I\/O needs a backend that can block; this target has none/));
    expect(data.inFlight).toBe(0);
  });

  it("a backend without blockOn is named in the message", () => {
    expect(() => readAtSync(cannotBlock, 0, new Uint8Array(1))).toThrow(expectKind("Unsupported", /backend "async-only" cannot/));
  });
});

describe("bad arguments", () => {
  const mem = new MemoryIo(new Uint8Array(16));

  it.each<[string, unknown]>([
    ["negative", -1],
    ["fractional", 1.5],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["2^53", 2 ** 53],
    ["negative bigint", -1n],
    ["huge bigint", 2n ** 64n],
    ["bigint just past 2^53-1", 2n ** 53n],
  ])("a %s pos is InvalidInput naming pos", async (_label, pos) => {
    const bad = pos as Pos;
    const match = expectKind("InvalidInput", /\bpos\b/);
    await expect(readAt(mem, bad, new Uint8Array(1))).rejects.toThrow(match);
    await expect(readExactAt(mem, bad, new Uint8Array(1))).rejects.toThrow(match);
    await expect(readToEnd(mem, bad)).rejects.toThrow(match);
    await expect(writeAt(mem, bad, new Uint8Array(1))).rejects.toThrow(match);
    await expect(writeAllAt(mem, bad, new Uint8Array(1))).rejects.toThrow(match);
    expect(() => readAtSync(mem, bad, new Uint8Array(1))).toThrow(match);
    expect(() => readExactAtSync(mem, bad, new Uint8Array(1))).toThrow(match);
    expect(() => readToEndSync(mem, bad)).toThrow(match);
    expect(() => writeAtSync(mem, bad, new Uint8Array(1))).toThrow(match);
    expect(() => writeAllAtSync(mem, bad, new Uint8Array(1))).toThrow(match);
    expect(mem.size).toBe(16);
  });

  it("a pos of the wrong type is a TypeError naming pos", async () => {
    await expect(readAt(mem, "0" as unknown as Pos, new Uint8Array(1))).rejects.toThrow(TypeError);
    expect(() => writeAtSync(mem, null as unknown as Pos, new Uint8Array(1))).toThrow(/pos must be a number or bigint/);
  });

  it.each<[string, unknown]>([
    ["an array", [1, 2, 3]],
    ["a Uint16Array", new Uint16Array(2)],
    ["a string", "abc"],
    ["an ArrayBuffer", new ArrayBuffer(4)],
    ["a DataView", new DataView(new ArrayBuffer(4))],
  ])("%s as dst/src is a TypeError naming the argument", async (_label, value) => {
    const bytes = value as Uint8Array;
    await expect(readAt(mem, 0, bytes)).rejects.toThrow(TypeError);
    await expect(readAt(mem, 0, bytes)).rejects.toThrow(/^dst must be a Uint8Array/);
    await expect(readExactAt(mem, 0, bytes)).rejects.toThrow(/^dst must be a Uint8Array/);
    await expect(writeAt(mem, 0, bytes)).rejects.toThrow(TypeError);
    await expect(writeAt(mem, 0, bytes)).rejects.toThrow(/^src must be a Uint8Array/);
    await expect(writeAllAt(mem, 0, bytes)).rejects.toThrow(/^src must be a Uint8Array/);
    expect(() => readAtSync(mem, 0, bytes)).toThrow(/^dst must be a Uint8Array/);
    expect(() => writeAllAtSync(mem, 0, bytes)).toThrow(/^src must be a Uint8Array/);
  });

  it("a Buffer is accepted", async () => {
    const buffer = Buffer.alloc(4);
    expect(await readAt(mem, 0, buffer)).toBe(4);
    expect(await writeAt(mem, 0, Buffer.from([1, 2]))).toBe(2);
  });

  it("a detached buffer is InvalidInput mentioning detached", async () => {
    const buffer = new ArrayBuffer(8);
    const bytes = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    expect(bytes.byteLength).toBe(0);
    await expect(readAt(mem, 0, bytes)).rejects.toThrow(expectKind("InvalidInput", /dst.*detached/));
    await expect(writeAt(mem, 0, bytes)).rejects.toThrow(expectKind("InvalidInput", /src.*detached/));
    expect(() => readExactAtSync(mem, 0, bytes)).toThrow(expectKind("InvalidInput", /detached/));
    expect(() => writeAllAtSync(mem, 0, bytes)).toThrow(expectKind("InvalidInput", /detached/));
  });

  it("a resizable buffer is InvalidInput", async () => {
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer;
    const bytes = new Uint8Array(new Resizable(4, { maxByteLength: 16 }));
    await expect(readAt(mem, 0, bytes)).rejects.toThrow(expectKind("InvalidInput", /dst.*resizable/));
  });

  it("bigint positions in range work", async () => {
    const target = new MemoryIo(pattern(32, 9));
    const expected = target.snapshot().subarray(8, 12);
    const dst = new Uint8Array(4);
    expect(await readAt(target, 8n, dst)).toBe(4);
    expect(Array.from(dst)).toEqual(Array.from(expected));
    expect(readAtSync(target, 8n, new Uint8Array(4))).toBe(4);
    await writeAllAt(target, 40n, new Uint8Array([7]));
    writeAllAtSync(target, 41n, new Uint8Array([8]));
    expect(target.size).toBe(42);
    expect(Array.from((await readToEnd(target, 40n)))).toEqual([7, 8]);
    expect(await readAt(target, BigInt(Number.MAX_SAFE_INTEGER), new Uint8Array(1))).toBe(0);
  });
});
