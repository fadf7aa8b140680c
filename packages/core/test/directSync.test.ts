/** The sync helpers' packet-free path (DirectSync): when it is taken, and that it answers as packets do. */
import { describe, expect, it } from "vitest";
import {
  Cursor,
  IoError,
  MemoryIo,
  readNumberAtSync,
  writeNumberAtSync,
  readAtSync,
  readExactAtSync,
  writeAllAtSync,
  writeAtSync,
  type AnyView,
  type DirectSync,
  type IoBackend,
  type PacketIo,
  type Pos,
  type Read,
  type Write,
} from "../src/index.js";

/** MemoryIo with a counted DirectSync in front, which can decline, fail or write short on demand. */
class Direct implements PacketIo<Write, Pos>, PacketIo<Read, Pos>, DirectSync {
  readonly mem: MemoryIo;
  reads = 0;
  writes = 0;
  mode: "serve" | "decline" | "fail" | "short" = "serve";
  constructor(bytes: Uint8Array) {
    this.mem = new MemoryIo(bytes);
  }
  get backend(): IoBackend | undefined {
    return this.mem.backend;
  }
  sendIo(pos: Pos, view: AnyView): void {
    this.mem.sendIo(pos, view as never);
  }
  readAtDirect(pos: number, dst: Uint8Array): number | undefined {
    if (this.mode === "decline") return undefined;
    if (this.mode === "fail") throw new IoError("Other", "the device said no", { op: "read" });
    this.reads++;
    return readAtSync(this.mem, pos, dst);
  }
  writeAtDirect(pos: number, src: Uint8Array): number | undefined {
    if (this.mode === "decline") return undefined;
    this.writes++;
    if (this.mode === "short") return Math.floor(src.byteLength / 2);
    writeAllAtSync(this.mem, pos, src);
    return src.byteLength;
  }
}

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

describe("DirectSync", () => {
  it("readAtSync and readExactAtSync take it, and return what packets return", () => {
    const target = new Direct(bytes);
    const dst = new Uint8Array(100);
    expect(readAtSync(target, 950, dst)).toBe(50);
    expect(Array.from(dst.subarray(0, 50))).toEqual(Array.from(bytes.subarray(950)));
    readExactAtSync(target, 10, dst);
    expect(Array.from(dst)).toEqual(Array.from(bytes.subarray(10, 110)));
    expect(target.reads).toBe(2);
    expect(() => readExactAtSync(target, 990, dst)).toThrow(expect.objectContaining({ kind: "UnexpectedEof", message: expect.stringMatching(/needed 100 bytes at 990, the data ends after 10/) }));
  });

  it("a call with a signal or a deadline takes the packet path, which honours them", () => {
    const target = new Direct(bytes);
    const controller = new AbortController();
    controller.abort();
    expect(() => readAtSync(target, 0, new Uint8Array(4), { signal: controller.signal })).toThrow(expect.objectContaining({ kind: "Aborted" }));
    expect(readAtSync(target, 0, new Uint8Array(4), { timeoutMs: 1000 })).toBe(4);
    expect(readAtSync(target, 0, new Uint8Array(4), {})).toBe(4);
    expect(target.reads).toBe(1);
  });

  it("a target that declines is served by packets", () => {
    const target = new Direct(bytes);
    target.mode = "decline";
    const dst = new Uint8Array(8);
    expect(readAtSync(target, 8, dst)).toBe(8);
    expect(Array.from(dst)).toEqual(Array.from(bytes.subarray(8, 16)));
    expect(writeAtSync(target, 0, Uint8Array.of(9, 9))).toBe(2);
    expect(target.reads + target.writes).toBe(0);
  });

  it("its errors reach the caller; bad arguments are refused before it is asked", () => {
    const target = new Direct(bytes);
    target.mode = "fail";
    expect(() => readAtSync(target, 0, new Uint8Array(1))).toThrow(/the device said no/);
    target.mode = "serve";
    expect(() => readAtSync(target, -1, new Uint8Array(1))).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    expect(() => readAtSync(target, 0, "nope" as never)).toThrow();
    expect(() => readAtSync(target, 0, new Uint8Array(1), { bogus: 1 } as never)).toThrow(/unknown option "bogus"/);
    expect(target.reads).toBe(0);
  });

  it("writeAtSync and writeAllAtSync take it; a short direct write is an error, never a silent loss", () => {
    const target = new Direct(new Uint8Array(0));
    expect(writeAtSync(target, 0, Uint8Array.of(1, 2, 3))).toBe(3);
    writeAllAtSync(target, 3, Uint8Array.of(4));
    expect(target.writes).toBe(2);
    const back = new Uint8Array(4);
    expect(readAtSync(target.mem, 0, back)).toBe(4);
    expect(Array.from(back)).toEqual([1, 2, 3, 4]);
    target.mode = "short";
    expect(() => writeAllAtSync(target, 0, new Uint8Array(10))).toThrow(expect.objectContaining({ kind: "Other", message: expect.stringMatching(/made no progress/) }));
  });

  it("typed sync reads and writes and a cursor's *Sync methods take it, with no packet", () => {
    const target = new Direct(bytes);
    let packets = 0;
    const sendIo = target.sendIo.bind(target);
    target.sendIo = (pos, view) => {
      packets++;
      sendIo(pos, view);
    };
    const view = new DataView(bytes.buffer);
    expect(readNumberAtSync(target, 3, "u32le")).toBe(view.getUint32(3, true));
    expect(readNumberAtSync(target, 5, "i64be")).toBe(view.getBigInt64(5, false));
    expect(readNumberAtSync(target, 7, "u8")).toBe(bytes[7]);
    const cursor = new Cursor(target, 100);
    expect(cursor.readNumberSync("u16be")).toBe(view.getUint16(100, false));
    expect(cursor.readNumberSync("f64le")).toBe(view.getFloat64(102, true));
    const dst = new Uint8Array(3);
    expect(cursor.readSync(dst)).toBe(3);
    cursor.readExactSync(dst);
    expect(Array.from(dst)).toEqual(Array.from(bytes.subarray(113, 116)));
    expect(cursor.position).toBe(116);
    expect(target.reads).toBe(7);
    writeNumberAtSync(target, 0, "u32be", 0x01020304);
    cursor.writeNumberSync("u16le", 0xbeef);
    cursor.writeAllSync(Uint8Array.of(7, 7));
    expect(target.writes).toBe(3);
    expect(cursor.position).toBe(120);
    expect(packets).toBe(0);
    // Short at the end of the data: the same UnexpectedEof as the packet path, position unchanged.
    cursor.seek(998);
    expect(() => cursor.readNumberSync("u32le")).toThrow(expect.objectContaining({ kind: "UnexpectedEof", message: expect.stringMatching(/needed 4 bytes at 998, the data ends after 2/) }));
    expect(cursor.position).toBe(998);
    // A target that declines still gets the packet path, with a buffer of its own.
    target.mode = "decline";
    expect(readNumberAtSync(target, 200, "u32le")).toBe(view.getUint32(200, true));
    expect(packets).toBe(1);
  });
});
