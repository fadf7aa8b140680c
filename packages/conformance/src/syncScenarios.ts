/** The `*Sync` helpers on a backend that can block: the same answers as the async ones. */
import { Cursor, ioSync, IoError, Packet, Read, readAtSync, readExactAtSync, readToEndSync, Write, writeAllAtSync, writeAtSync, type DirectSync, type RandomAccess } from "@pktio/core";
import { expect } from "vitest";
import { equalBytes } from "./packetScenarios.js";
import { Rng } from "./rng.js";

export type SyncScenario = (open: (initial: Uint8Array) => Promise<RandomAccess>, reference: RandomAccess, referenceBytes: Uint8Array) => Promise<void>;

export const syncScenarios: Record<string, SyncScenario> = {
  async "readAtSync and readExactAtSync return the stored bytes"(_open, target, reference) {
    const rng = new Rng(0x5eed0004);
    for (let i = 0; i < 256; i++) {
      const length = rng.int(1, 16 * 1024);
      const pos = rng.int(0, reference.length - length);
      const dst = new Uint8Array(length);
      expect(readAtSync(target, pos, dst)).toBe(length);
      expect(equalBytes(dst, reference.subarray(pos, pos + length))).toBe(true);
    }
    const tail = new Uint8Array(10);
    expect(readAtSync(target, reference.length - 4, tail)).toBe(4);
    expect(() => readExactAtSync(target, reference.length - 4, tail)).toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
  },

  async "writeAllAtSync, a sync cursor and readToEndSync agree"(open) {
    const target = await open(new Uint8Array(0));
    const cursor = new Cursor(target);
    for (let i = 0; i < 256; i++) cursor.writeNumberSync("u32le", i * 1_000_003);
    writeAllAtSync(target, 1024, new Uint8Array([1, 2, 3]));
    const whole = readToEndSync(target);
    expect(whole.byteLength).toBe(1027);
    expect(Array.from(whole.subarray(1024))).toEqual([1, 2, 3]);
    cursor.seek(0);
    for (let i = 0; i < 256; i++) expect(cursor.readNumberSync("u32le")).toBe(i * 1_000_003);
  },

  async "the packet-free path (DirectSync) and packets give the same bytes, counts and errors"(open, target, reference) {
    const rng = new Rng(0x5eed0005);
    for (let i = 0; i < 128; i++) {
      const length = rng.int(1, 64 * 1024);
      // Some of these cross the end of the data: both paths must stop there.
      const pos = rng.int(0, reference.length - 1);
      const direct = new Uint8Array(length).fill(0xa5);
      const packet = new Uint8Array(length).fill(0x5a);
      const count = readAtSync(target, pos, direct);
      const result = ioSync(target, pos, Packet.wrap(packet, Write));
      expect(count).toBe(Math.min(length, reference.length - pos));
      expect(result.transferred).toBe(count);
      expect(equalBytes(direct.subarray(0, count), reference.subarray(pos, pos + count))).toBe(true);
      expect(equalBytes(packet.subarray(0, count), direct.subarray(0, count))).toBe(true);
    }
    expect(readAtSync(target, reference.length + 4096, new Uint8Array(16))).toBe(0);
    expect(() => readExactAtSync(target, reference.length - 1, new Uint8Array(2))).toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));

    const written = await open(new Uint8Array(0));
    const first = reference.subarray(0, 100_000);
    const second = reference.subarray(100_000, 150_000);
    expect(writeAtSync(written, 0, first)).toBe(first.byteLength);
    const viaPacket = ioSync(written, first.byteLength, Packet.wrap(second.slice(), Read));
    expect(viaPacket.error).toBeUndefined();
    expect(equalBytes(readToEndSync(written), reference.subarray(0, 150_000))).toBe(true);

    // A closed handle: the direct path declines and the packet path says Closed, as it always did.
    const closable = written as Partial<{ closeSync(): void }> & Partial<DirectSync>;
    if (typeof closable.closeSync === "function") {
      closable.closeSync();
      expect(closable.readAtDirect?.(0, new Uint8Array(1))).toBeUndefined();
      expect(() => readAtSync(written, 0, new Uint8Array(1))).toThrow(expect.objectContaining({ kind: "Closed" }));
      expect(() => writeAllAtSync(written, 0, new Uint8Array(1))).toThrow(IoError);
    }
  },
};
