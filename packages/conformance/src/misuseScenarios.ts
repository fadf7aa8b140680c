/** Bad input through a backend: the target fails the view (never throws, never hangs). */
import { io, IoError, NoPos, Packet, readAt, Write, writeAt, type PacketIo, type Pos, type RandomAccess } from "@pktio/core";
import { expect } from "vitest";

export type MisuseScenario = (target: RandomAccess) => Promise<void>;

export const misuseScenarios: Record<string, MisuseScenario> = {
  async "sendIo with a bad position fails the packet with InvalidInput"(target) {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60, -1n, "3", NoPos]) {
      const result = await io(target as unknown as PacketIo<Write, unknown>, bad, Packet.alloc(4, Write));
      expect(result.transferred, `position ${String(bad)}`).toBe(0);
      expect(result.error?.kind, `position ${String(bad)}`).toBe("InvalidInput");
    }
  },

  async "helpers reject bad arguments before any I/O, naming them"(target) {
    await expect(readAt(target, -1, new Uint8Array(1))).rejects.toThrow(/pos must be a non-negative safe integer/);
    await expect(readAt(target, 0, [1] as unknown as Uint8Array)).rejects.toThrow(/dst must be a Uint8Array/);
    await expect(writeAt(target, 2 ** 53 as Pos, new Uint8Array(1))).rejects.toThrow(IoError);
    const detached = new Uint8Array(8);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    await expect(writeAt(target, 0, detached)).rejects.toThrow(/detached/);
  },
};
