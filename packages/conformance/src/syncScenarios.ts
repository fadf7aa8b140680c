/** The `*Sync` helpers on a backend that can block: the same answers as the async ones. */
import { Cursor, readAtSync, readExactAtSync, readToEndSync, writeAllAtSync, type RandomAccess } from "@pktio/core";
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
};
