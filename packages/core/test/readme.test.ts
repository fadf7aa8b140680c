import { expect, it } from "vitest";
import { io, MemoryIo, Packet, readExactAt, readNumberAtSync, request, runIo, runIoSync, Write, writeAllAt, type IoProgram, type PacketSegment, type ReadTarget } from "../src/index.js";

// The README's example, with its claims asserted.
it("README example behaves as it says", async () => {
  const mem = new MemoryIo();
  await writeAllAt(mem, 0, new TextEncoder().encode("hello, packets"));
  const packet = Packet.alloc(32, Write);
  const segments: PacketSegment[] = [];
  const { transferred, error } = await io(mem, 7, packet, (segment) => segments.push(segment));
  expect(transferred).toBe(7);
  expect(error?.kind).toBe("UnexpectedEof");
  expect(segments).toHaveLength(2);
  await expect(readExactAt(mem, 10, new Uint8Array(5))).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
  expect(readNumberAtSync(mem, 0, "u8")).toBe("h".charCodeAt(0));
});

// docs/packet-model.md: one program, run both ways.
it("a colorless program runs async and sync with the same answer", async () => {
  function* readHeader(target: ReadTarget): IoProgram<number> {
    const packet = Packet.alloc(4, Write);
    const { transferred } = yield request(target, 0, packet);
    return transferred === 4 ? new DataView(packet.bytes.buffer).getUint32(0, true) : -1;
  }
  const mem = new MemoryIo(new Uint8Array([0x78, 0x56, 0x34, 0x12]));
  expect(await runIo(readHeader(mem))).toBe(0x12345678);
  expect(runIoSync(readHeader(mem))).toBe(0x12345678);
  expect(runIoSync(readHeader(new MemoryIo(new Uint8Array(2))))).toBe(-1);
});
