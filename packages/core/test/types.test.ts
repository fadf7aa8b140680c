import { describe, expect, it } from "vitest";
import { io, MemoryIo, Packet, Read, readAt, ReadWrite, Write, writeAt, type BoundPacketView, type PacketIo } from "../src/index.js";

// These checks are made by `tsc -b` (pnpm check): each @ts-expect-error must stay an error.
describe("permissions at the type level", () => {
  it("wrong-direction use is a compile error", async () => {
    const readOnly: PacketIo<Write, number> = new MemoryIo(new Uint8Array(4));
    const writeOnly: PacketIo<Read, number> = new MemoryIo();
    // @ts-expect-error a Read packet (the backend drains it: a write) cannot go to a read-only target
    const wrong = io(readOnly, 0, Packet.alloc(1, Read));
    // @ts-expect-error writeAt needs a target that accepts Read packets
    const wrongHelper = writeAt(readOnly, 0, new Uint8Array(1)).catch(() => undefined);
    // @ts-expect-error readAt needs a target that accepts Write packets
    const wrongRead = readAt(writeOnly, 0, new Uint8Array(1)).catch(() => undefined);
    await Promise.all([wrong, wrongHelper, wrongRead]);

    const fine = await io(readOnly, 0, Packet.alloc(4, Write));
    expect(fine.transferred).toBe(4);
  });

  it("a ReadWrite packet type-checks for either direction", () => {
    const packet = Packet.alloc(1, ReadWrite);
    const asWrite: Packet<Write> = packet;
    const asRead: Packet<Read> = packet;
    expect(asWrite).toBe(asRead);
    const sink = (view: BoundPacketView<Write>): number => view.length;
    expect(typeof sink).toBe("function");
  });
});
