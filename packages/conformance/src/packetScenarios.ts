/**
 * mfio's core cases as scenarios over a read-only store: out-of-bounds reads, reads half
 * outside, per-segment outputs, verified random reads and random split trees with failures.
 * Each scenario runs sequentially and with many packets in flight.
 */
import { io, isEof, Packet, readAt, Write, type PacketSegment, type RandomAccess } from "@pktio/core";
import { expect } from "vitest";
import { FaultyIo } from "./FaultyIo.js";
import { Rng } from "./rng.js";
import { repeat } from "./Subject.js";

export interface StoreContext {
  readonly target: RandomAccess;
  /** The exact bytes the target holds. */
  readonly reference: Uint8Array;
  readonly mode: "seq" | "con";
  /** Packets per scenario (in flight at once in "con" mode). */
  readonly count: number;
}

export type StoreScenario = (context: StoreContext) => Promise<void>;

export const storeScenarios: Record<string, StoreScenario> = {
  async "a read wholly past the end transfers nothing"({ target, reference, mode, count }) {
    await repeat(mode, count, async (i) => {
      const result = await io(target, reference.length + i * 7, Packet.alloc(1 + (i % 64), Write));
      expect(result.transferred).toBe(0);
      expect(isEof(result.error), `error kind ${result.error?.kind}`).toBe(true);
    });
  },

  async "a read half outside transfers the inside part, in exactly two segments"({ target, reference, mode, count }) {
    await repeat(mode, count, async (i) => {
      const inside = 1 + (i % 512);
      const packet = Packet.alloc(inside * 2, Write);
      const segments: PacketSegment[] = [];
      const result = await io(target, reference.length - inside, packet, (segment) => segments.push(segment));
      expect(result.transferred).toBe(inside);
      expect(isEof(result.error), `error kind ${result.error?.kind}`).toBe(true);
      expect(segments).toHaveLength(2);
      const ordered = [...segments].sort((a, b) => a.start - b.start);
      expect(ordered.map((s) => [s.start, s.end, s.error === undefined])).toEqual([
        [0, inside, true],
        [inside, inside * 2, false],
      ]);
      expect(packet.bytes.subarray(0, inside)).toEqual(reference.subarray(reference.length - inside));
    });
  },

  async "random reads return the stored bytes"({ target, reference, mode, count }) {
    const rng = new Rng(0x5eed0001);
    await repeat(mode, count, async () => {
      const length = rng.int(1, 64 * 1024);
      const pos = rng.int(0, reference.length - length);
      const dst = new Uint8Array(length);
      expect(await readAt(target, pos, dst)).toBe(length);
      expect(equalBytes(dst, reference.subarray(pos, pos + length))).toBe(true);
    });
  },

  async "random split trees with random failures clamp to the lowest failure"({ target, reference, mode, count }) {
    const rng = new Rng(0x5eed0002);
    const faulty = new FaultyIo<Write>(target, rng, { splitChance: 0.6, failChance: 0.08 });
    await repeat(mode, count, async () => {
      const length = rng.int(1, 4096);
      const pos = rng.int(0, reference.length - length);
      const packet = Packet.alloc(length, Write);
      const result = await io(faulty, pos, packet);
      const injected = faulty.injected.get(packet);
      expect(result.transferred).toBe(injected?.start ?? length);
      expect(result.error).toBe(injected?.error);
      const good = result.transferred;
      expect(equalBytes(packet.bytes.subarray(0, good), reference.subarray(pos, pos + good))).toBe(true);
    });
  },
};

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.compare(a, b) === 0;
}
