import { describe, expect, it } from "vitest";
import {
  decodeNumber,
  encodeNumber,
  IoError,
  MemoryIo,
  readNumberAt,
  readNumberAtSync,
  sizeOfNumber,
  writeNumberAt,
  writeNumberAtSync,
  type NumberType,
  type NumberValue,
} from "../src/index.js";

interface Case {
  readonly type: NumberType;
  readonly size: number;
  readonly values: readonly (number | bigint)[];
  /** Writes `value` into a DataView at 0 the way the type says. */
  readonly set: (view: DataView, value: number | bigint) => void;
}

const i = (value: number | bigint): number => value as number;
const b = (value: number | bigint): bigint => value as bigint;

const cases: readonly Case[] = [
  { type: "u8", size: 1, values: [0, 1, 0x7f, 0x80, 255], set: (v, x) => v.setUint8(0, i(x)) },
  { type: "i8", size: 1, values: [-128, -1, 0, 1, 127], set: (v, x) => v.setInt8(0, i(x)) },
  { type: "u16le", size: 2, values: [0, 0x1234, 0xff00, 65535], set: (v, x) => v.setUint16(0, i(x), true) },
  { type: "u16be", size: 2, values: [0, 0x1234, 0xff00, 65535], set: (v, x) => v.setUint16(0, i(x), false) },
  { type: "i16le", size: 2, values: [-32768, -2, 0, 0x1234, 32767], set: (v, x) => v.setInt16(0, i(x), true) },
  { type: "i16be", size: 2, values: [-32768, -2, 0, 0x1234, 32767], set: (v, x) => v.setInt16(0, i(x), false) },
  { type: "u32le", size: 4, values: [0, 0x12345678, 2 ** 32 - 1], set: (v, x) => v.setUint32(0, i(x), true) },
  { type: "u32be", size: 4, values: [0, 0x12345678, 2 ** 32 - 1], set: (v, x) => v.setUint32(0, i(x), false) },
  { type: "i32le", size: 4, values: [-(2 ** 31), -0x12345678, 0, 2 ** 31 - 1], set: (v, x) => v.setInt32(0, i(x), true) },
  { type: "i32be", size: 4, values: [-(2 ** 31), -0x12345678, 0, 2 ** 31 - 1], set: (v, x) => v.setInt32(0, i(x), false) },
  { type: "u64le", size: 8, values: [0n, 0x0102030405060708n, 2n ** 53n + 1n, 2n ** 64n - 1n], set: (v, x) => v.setBigUint64(0, b(x), true) },
  { type: "u64be", size: 8, values: [0n, 0x0102030405060708n, 2n ** 53n + 1n, 2n ** 64n - 1n], set: (v, x) => v.setBigUint64(0, b(x), false) },
  { type: "i64le", size: 8, values: [-(2n ** 63n), -1n, 0n, 0x0102030405060708n, 2n ** 63n - 1n], set: (v, x) => v.setBigInt64(0, b(x), true) },
  { type: "i64be", size: 8, values: [-(2n ** 63n), -1n, 0n, 0x0102030405060708n, 2n ** 63n - 1n], set: (v, x) => v.setBigInt64(0, b(x), false) },
  { type: "f32le", size: 4, values: [0, -0, 1.5, -2.25, 3.4028234663852886e38, 1.401298464324817e-45, Number.POSITIVE_INFINITY], set: (v, x) => v.setFloat32(0, i(x), true) },
  { type: "f32be", size: 4, values: [0, 1.5, -2.25, -3.4028234663852886e38, Number.NEGATIVE_INFINITY], set: (v, x) => v.setFloat32(0, i(x), false) },
  { type: "f64le", size: 8, values: [0, -0, Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER], set: (v, x) => v.setFloat64(0, i(x), true) },
  { type: "f64be", size: 8, values: [0, Math.E, Number.MAX_VALUE, -Number.MIN_VALUE], set: (v, x) => v.setFloat64(0, i(x), false) },
];

/** The bytes DataView produces for one value. */
function expectedBytes(entry: Case, value: number | bigint): number[] {
  const view = new DataView(new ArrayBuffer(entry.size));
  entry.set(view, value);
  return Array.from(new Uint8Array(view.buffer));
}

// Writes and reads with a loose signature, so one table covers every type.
const write = writeNumberAt as (io: MemoryIo, pos: number, type: NumberType, value: number | bigint) => Promise<void>;
const writeSync = writeNumberAtSync as (io: MemoryIo, pos: number, type: NumberType, value: number | bigint) => void;
const encode = encodeNumber as (type: NumberType, value: number | bigint) => Uint8Array;

describe.each(cases)("$type", (entry) => {
  it("has the right size", () => {
    expect(sizeOfNumber(entry.type)).toBe(entry.size);
  });

  it("round trips min, max and others async, with DataView's byte order", async () => {
    const mem = new MemoryIo();
    for (const [index, value] of entry.values.entries()) {
      const pos = 3 + index * entry.size;
      await write(mem, pos, entry.type, value);
      const stored = mem.snapshot().subarray(pos, pos + entry.size);
      expect(Array.from(stored)).toEqual(expectedBytes(entry, value));
      expect(await readNumberAt(mem, pos, entry.type)).toBe(value);
    }
    expect(mem.size).toBe(3 + entry.values.length * entry.size);
  });

  it("round trips sync too, and async and sync agree", async () => {
    const mem = new MemoryIo();
    for (const [index, value] of entry.values.entries()) {
      const pos = index * entry.size;
      writeSync(mem, pos, entry.type, value);
      expect(readNumberAtSync(mem, pos, entry.type)).toBe(value);
      expect(await readNumberAt(mem, pos, entry.type)).toBe(value);
    }
  });

  it("encodes as DataView does and decodes back", () => {
    for (const value of entry.values) {
      const bytes = encode(entry.type, value);
      expect(bytes.byteLength).toBe(entry.size);
      expect(Array.from(bytes)).toEqual(expectedBytes(entry, value));
      expect(decodeNumber(entry.type, bytes)).toBe(value);
    }
  });

  it("reads 64-bit integers as bigints and the rest as numbers", async () => {
    const mem = new MemoryIo(new Uint8Array(8));
    const value = await readNumberAt(mem, 0, entry.type);
    expect(typeof value).toBe(/64[lb]e$/.test(entry.type) && !entry.type.startsWith("f") ? "bigint" : "number");
  });

  it("a short read is UnexpectedEof and writes nothing on the way", async () => {
    const mem = new MemoryIo(new Uint8Array(entry.size - 1));
    await expect(readNumberAt(mem, 0, entry.type)).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(() => readNumberAtSync(mem, 0, entry.type)).toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(() => readNumberAtSync(mem, 1000, entry.type)).toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(() => decodeNumber(entry.type, new Uint8Array(entry.size - 1))).toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
  });
});

describe("NaN in floats", () => {
  it.each(["f32le", "f32be", "f64le", "f64be"] as const)("%s keeps NaN", async (type) => {
    const mem = new MemoryIo();
    await writeNumberAt(mem, 0, type, Number.NaN);
    expect(Number.isNaN(await readNumberAt(mem, 0, type))).toBe(true);
  });

  it("f32 rounds to single precision", () => {
    expect(decodeNumber("f32le", encodeNumber("f32le", 0.1))).toBe(Math.fround(0.1));
  });
});

describe("out-of-range values are InvalidInput naming the type", () => {
  const cases: [NumberType, unknown][] = [
    ["u8", 256],
    ["u8", -1],
    ["i8", 128],
    ["i8", -129],
    ["u16le", 65536],
    ["i16be", 1.5],
    ["i16le", -32769],
    ["u32le", -1],
    ["u32be", 2 ** 32],
    ["i32le", 2 ** 31],
    ["u32le", 5n],
    ["u64le", 5],
    ["u64be", 2n ** 64n],
    ["u64le", -1n],
    ["i64le", 2n ** 63n],
    ["i64be", -(2n ** 63n) - 1n],
    ["u8", Number.NaN],
    ["u8", "1"],
    ["f64le", 1n],
    ["f32le", "1.5"],
    ["u16le", undefined],
  ];

  it.each(cases)("%s with %s", async (type, value) => {
    const mem = new MemoryIo();
    const named = expect.objectContaining({ kind: "InvalidInput", message: expect.stringContaining(`value for ${type} must be`) });
    await expect(write(mem, 0, type, value as number)).rejects.toThrow(named);
    expect(() => writeSync(mem, 0, type, value as number)).toThrow(named);
    expect(() => encode(type, value as number)).toThrow(named);
    expect(mem.size).toBe(0);
  });
});

describe("unknown type names are InvalidInput", () => {
  const names: unknown[] = ["u24le", "u16", "U8", 5, "u8le", "u8be", "i8le", "u32LE", "f16le", "u64", "", "f64bee", null, undefined, "toString", "__proto__le"];

  it.each(names)("%j", async (type) => {
    const mem = new MemoryIo(new Uint8Array(16));
    const invalid = expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/^type must be a number type/) });
    const bad = type as NumberType;
    await expect(readNumberAt(mem, 0, bad)).rejects.toThrow(invalid);
    expect(() => readNumberAtSync(mem, 0, bad)).toThrow(invalid);
    await expect(write(mem, 0, bad, 0)).rejects.toThrow(invalid);
    expect(() => writeSync(mem, 0, bad, 0)).toThrow(invalid);
    expect(() => sizeOfNumber(bad)).toThrow(invalid);
    expect(() => encode(bad, 0)).toThrow(IoError);
    expect(() => decodeNumber(bad, new Uint8Array(16))).toThrow(invalid);
    expect(Array.from(mem.snapshot())).toEqual(new Array<number>(16).fill(0));
  });
});

describe("positions", () => {
  it("bad positions are InvalidInput naming pos; bigint positions work", async () => {
    const mem = new MemoryIo();
    await expect(writeNumberAt(mem, -1, "u8", 1)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/\bpos\b/) }));
    expect(() => readNumberAtSync(mem, 0.5, "u8")).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    await writeNumberAt(mem, 4n, "u16be", 0xbeef);
    expect(readNumberAtSync(mem, 4n, "u16be")).toBe(0xbeef);
    expect(Array.from(mem.snapshot())).toEqual([0, 0, 0, 0, 0xbe, 0xef]);
  });
});

describe("decodeNumber", () => {
  it("reads from the view's offset, not the buffer's start", () => {
    const backing = new Uint8Array([0xff, 0xff, 0x01, 0x02, 0x03, 0x04, 0xff]);
    expect(decodeNumber("u32be", backing.subarray(2, 6))).toBe(0x01020304);
    expect(decodeNumber("u16le", backing.subarray(2))).toBe(0x0201);
    // Extra bytes after the value are ignored.
    expect(decodeNumber("u8", backing.subarray(2))).toBe(1);
  });

  it("has types that follow the type name", () => {
    const big: NumberValue<"i64le"> = decodeNumber("i64le", new Uint8Array(8));
    const small: NumberValue<"u32be"> = decodeNumber("u32be", new Uint8Array(4));
    expect(big).toBe(0n);
    expect(small).toBe(0);
  });
});
