/**
 * Write-then-read scenarios on fresh targets: single elements, two elements, a struct through a
 * cursor, and random writes (past the end too) checked against a byte model.
 */
import { Cursor, encodeNumber, readNumberAt, readToEnd, writeAllAt, writeNumberAt, type RandomAccess } from "@pktio/core";
import { expect } from "vitest";
import { equalBytes } from "./packetScenarios.js";
import { Rng } from "./rng.js";
import { repeat } from "./Subject.js";

export interface WriteContext {
  /** Opens a fresh target holding `initial`; the suite releases it. */
  readonly open: (initial: Uint8Array) => Promise<RandomAccess>;
  readonly mode: "seq" | "con";
  readonly count: number;
}

export type WriteScenario = (context: WriteContext) => Promise<void>;

export const writeScenarios: Record<string, WriteScenario> = {
  async "single elements round-trip"({ open, mode, count }) {
    const target = await open(new Uint8Array(count * 8));
    await repeat(mode, count, async (i) => {
      const value = BigInt(i) * 0x0101_0101_0101n + 7n;
      await writeNumberAt(target, i * 8, "u64le", value);
      expect(await readNumberAt(target, i * 8, "u64le")).toBe(value);
      expect(await readNumberAt(target, i * 8, "u8")).toBe(Number(value & 0xffn));
    });
  },

  async "two elements written in one packet read back one by one"({ open, mode, count }) {
    const target = await open(new Uint8Array(0));
    await repeat(mode, count, async (i) => {
      const pair = new Uint8Array(8);
      pair.set(encodeNumber("u32be", i * 3), 0);
      pair.set(encodeNumber("u32be", i * 5 + 1), 4);
      await writeAllAt(target, i * 8, pair);
      expect(await readNumberAt(target, i * 8, "u32be")).toBe(i * 3);
      expect(await readNumberAt(target, i * 8 + 4, "u32be")).toBe(i * 5 + 1);
    });
  },

  async "a struct written through a cursor reads back field by field"({ open, mode, count }) {
    const size = 1 + 2 + 4 + 8 + 8;
    const target = await open(new Uint8Array(0));
    await repeat(mode, count, async (i) => {
      const writer = new Cursor(target, i * size);
      await writer.writeNumber("u8", i & 0xff);
      await writer.writeNumber("i16le", -i);
      await writer.writeNumber("u32be", i * 65_537);
      await writer.writeNumber("i64le", -BigInt(i) * 1_000_000_007n);
      await writer.writeNumber("f64be", i / 3);
      expect(writer.position).toBe((i + 1) * size);
      const reader = new Cursor(target, i * size);
      expect(await reader.readNumber("u8")).toBe(i & 0xff);
      expect(await reader.readNumber("i16le")).toBe(-i === 0 ? 0 : -i);
      expect(await reader.readNumber("u32be")).toBe(i * 65_537);
      expect(await reader.readNumber("i64le")).toBe(-BigInt(i) * 1_000_000_007n);
      expect(await reader.readNumber("f64be")).toBe(i / 3);
    });
  },

  async "random writes, past the end too, match a byte model"({ open, mode, count }) {
    const rng = new Rng(0x5eed0003);
    const initial = new Uint8Array(64 * 1024).fill(0xa5);
    const target = await open(initial);
    // Concurrent writes get disjoint slots so the outcome does not depend on their order.
    const slot = 16 * 1024;
    const model = new Uint8Array(initial.length + count * slot);
    model.set(initial);
    let end = initial.length;
    await repeat(mode, count, async (i) => {
      const length = rng.int(1, slot);
      const pos = i * slot + rng.int(0, slot - length);
      const bytes = new Uint8Array(length).fill((i * 31 + 1) & 0xff);
      model.set(bytes, pos);
      end = Math.max(end, pos + length);
      await writeAllAt(target, pos, bytes);
    });
    const stored = await readToEnd(target);
    expect(stored.byteLength).toBe(end);
    expect(equalBytes(stored, model.subarray(0, end))).toBe(true);
  },
};
