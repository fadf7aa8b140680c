import { describe, expect, it } from "vitest";
import type { Stats } from "node:fs";
import type { FileHandle as NodeFsFileHandle } from "node:fs/promises";
import { io, MemoryIo, Packet, Read, readAt, ReadWrite, Write, writeAt, type BoundPacketView, type NodeFileHandle, type NodeStats, type PacketIo } from "../src/index.js";

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

// The published classes do not say `implements` (newer @types/node grow the interfaces), so the
// assignability that lets a TypeScript library take the facade is checked here, by tsc -b.
describe("the Node facade at the type level", () => {
  it("NodeFileHandle is a fs.promises.FileHandle and NodeStats an fs.Stats", () => {
    const asHandle = (handle: NodeFileHandle): NodeFsFileHandle => handle;
    const asStats = (stats: NodeStats): Stats => stats;
    expect([typeof asHandle, typeof asStats]).toEqual(["function", "function"]);
  });
});
