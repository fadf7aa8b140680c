/**
 * `readAt`, `readExactAt` and `readNumberAt` without a packet (DirectAsync, UringFile.readDirect): a buffered read of a regular file
 * into a buffer of at most one bounce slot, with no options, is one object in the ring instead of
 * a packet, a view, an output and a transfer. These tests hold it to the packet path's results
 * and errors (the same call with `{}` as options takes the packet path), to the ownership contract
 * (a buffer detached in flight never receives the kernel's bytes), and check that it is taken.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Packet, readAt, readNumberAt } from "@pktio/core";
import { seededBytes } from "@pktio/conformance";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openUring, probe } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const BLOCK = 4096;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How a promise settled: its value, or its error's kind and message. */
async function outcome(promise: Promise<number>): Promise<{ value: number } | { kind: unknown; message: string }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { kind: (error as { kind?: unknown }).kind, message: (error as Error).message };
  }
}

describe.skipIf(!status.ok)(`uring readAt without a packet${why}`, () => {
  let dir: string;
  let data: Uint8Array;
  let path: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-readdirect-"));
    data = seededBytes((1 << 20) + 1000, 0xd1ec);
    path = join(dir, "data.bin");
    writeFileSync(path, data);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const expected = (pos: number, length: number): Buffer => Buffer.from(data.subarray(pos, pos + length));

  /** `rounds` rounds of 64 reads at once over the first 256 blocks, each checked against the file. */
  async function readRounds(file: { readAt(pos: number, dst: Uint8Array): Promise<number> }, rounds: number): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      const dsts = Array.from({ length: 64 }, () => new Uint8Array(BLOCK));
      const counts = await Promise.all(dsts.map((dst, i) => file.readAt(((round * 64 + i) % 256) * BLOCK, dst)));
      expect(counts.every((count) => count === BLOCK)).toBe(true);
      dsts.forEach((dst, i) => expect(Buffer.from(dst).equals(expected(((round * 64 + i) % 256) * BLOCK, BLOCK))).toBe(true));
    }
  }

  it("takes no packet without options, a packet with them, and both read the file's bytes (plain and shared buffers)", async () => {
    const runtime = openUring();
    try {
      const file = await runtime.fs.open(path);
      const wrap = vi.spyOn(Packet, "wrapChecked");
      const plain = new Uint8Array(BLOCK);
      const shared = new Uint8Array(new SharedArrayBuffer(BLOCK));
      expect(await file.readAt(3 * BLOCK, plain)).toBe(BLOCK);
      expect(await readAt(file, 5 * BLOCK + 7, shared)).toBe(BLOCK);
      expect(wrap).not.toHaveBeenCalled();
      expect(Buffer.from(plain).equals(expected(3 * BLOCK, BLOCK))).toBe(true);
      expect(Buffer.from(shared).equals(expected(5 * BLOCK + 7, BLOCK))).toBe(true);
      const viaPacket = new Uint8Array(BLOCK);
      expect(await file.readAt(3 * BLOCK, viaPacket, {})).toBe(BLOCK);
      expect(wrap).toHaveBeenCalledTimes(1);
      expect(Buffer.from(viaPacket).equals(Buffer.from(plain))).toBe(true);
      // readExactAt and readNumberAt without options take the direct path too.
      const exact = new Uint8Array(BLOCK);
      await file.readExactAt(9 * BLOCK + 3, exact);
      expect(Buffer.from(exact).equals(expected(9 * BLOCK + 3, BLOCK))).toBe(true);
      const wrapAny = vi.spyOn(Packet, "wrap");
      expect(await readNumberAt(file, 77, "u32le")).toBe(Buffer.from(data).readUInt32LE(77));
      expect(await readNumberAt(file, 12345, "u64be")).toBe(Buffer.from(data).readBigUInt64BE(12345));
      expect(wrapAny).not.toHaveBeenCalled();
      expect(await readNumberAt(file, 77, "u32le", {})).toBe(Buffer.from(data).readUInt32LE(77));
      expect(wrap).toHaveBeenCalledTimes(2);
      wrapAny.mockRestore();
      // Larger than a bounce slot: the packet path, which splits it.
      const large = new Uint8Array(256 * 1024);
      expect(await file.readAt(1000, large)).toBe(large.length);
      expect(wrap).toHaveBeenCalledTimes(3);
      expect(Buffer.from(large).equals(expected(1000, large.length))).toBe(true);
      await file.close();
    } finally {
      await runtime.close();
    }
  });

  it("settles like the packet path at and past the end, on a closed handle and on a write-only one", async () => {
    const runtime = openUring();
    try {
      const file = await runtime.fs.open(path);
      for (const pos of [data.length - 100, data.length, data.length + BLOCK]) {
        const direct = new Uint8Array(BLOCK);
        const packet = new Uint8Array(BLOCK);
        const [a, b] = [await outcome(file.readAt(pos, direct)), await outcome(file.readAt(pos, packet, {}))];
        expect(a).toEqual(b);
        expect(a).toEqual({ value: Math.max(0, Math.min(BLOCK, data.length - pos)) });
        expect(Buffer.from(direct).equals(Buffer.from(packet))).toBe(true);
        // readExactAt: resolves only when the block is whole, else the same UnexpectedEof both ways.
        const exact = [await outcome(file.readExactAt(pos, new Uint8Array(BLOCK)) as Promise<never>), await outcome(file.readExactAt(pos, new Uint8Array(BLOCK), {}) as Promise<never>)];
        expect(exact[0]).toEqual(exact[1]);
        expect(exact[0]).toEqual({ kind: "UnexpectedEof", message: `readExactAt: needed ${BLOCK} bytes at ${pos}, the data ends after ${Math.max(0, data.length - pos)}` });
      }
      const number = [await outcome(readNumberAt(file, data.length - 2, "u32le") as Promise<never>), await outcome(readNumberAt(file, data.length - 2, "u32le", {}) as Promise<never>)];
      expect(number[0]).toEqual(number[1]);
      expect(number[0]).toEqual({ kind: "UnexpectedEof", message: `readExactAt: needed 4 bytes at ${data.length - 2}, the data ends after 2` });
      const whole = [await outcome(file.readExactAt(0, new Uint8Array(BLOCK)) as Promise<never>), await outcome(file.readExactAt(0, new Uint8Array(BLOCK), {}) as Promise<never>)];
      expect(whole).toEqual([{ value: undefined }, { value: undefined }]);
      const writeOnly = await runtime.fs.open(join(dir, "out.bin"), { write: true, create: true, read: false });
      const refused = [await outcome(writeOnly.readAt(0, new Uint8Array(16))), await outcome(writeOnly.readAt(0, new Uint8Array(16), {}))];
      expect(refused[0]).toEqual(refused[1]);
      expect(refused[0]).toMatchObject({ kind: "PermissionDenied" });
      expect(await outcome(writeOnly.readExactAt(0, new Uint8Array(16)) as Promise<never>)).toEqual(await outcome(writeOnly.readExactAt(0, new Uint8Array(16), {}) as Promise<never>));
      await writeOnly.close();
      await file.close();
      const closed = [await outcome(file.readAt(0, new Uint8Array(16))), await outcome(file.readAt(0, new Uint8Array(16), {}))];
      expect(closed[0]).toMatchObject({ kind: "Closed" });
      expect(closed[0]).toEqual(closed[1]);
    } finally {
      await runtime.close();
    }
  });

  it("a buffer detached while its read is in flight is never written: the read fails naming it, and its bounce slot comes back", async () => {
    const runtime = openUring({ submitThread: true });
    try {
      const file = await runtime.fs.open(path);
      // Held, the thread takes no SQEs: every read below is still in the ring when its buffer goes
      // (64 of them: with 40 or fewer in flight the JS thread would enter them itself).
      runtime.io.holdSubmitThread(true);
      const buffers = Array.from({ length: 64 }, () => new Uint8Array(BLOCK));
      // Half through the public DirectAsync method with a caller claiming the buffer is shared
      // (an argument the old signature took): the file reads the buffer's kind itself.
      const claimsShared = file as unknown as { readAtDirectAsync(pos: number, dst: Uint8Array, shared: boolean): Promise<number> };
      const reads = buffers.map((dst, i) => outcome(i % 2 === 0 ? file.readAt(i * BLOCK, dst) : claimsShared.readAtDirectAsync(i * BLOCK, dst, true)));
      await turn();
      const moved = buffers.map((dst) => new Uint8Array(structuredClone(dst.buffer, { transfer: [dst.buffer] })));
      runtime.io.holdSubmitThread(false);
      for (const result of await Promise.all(reads)) {
        expect(result).toMatchObject({ kind: "InvalidInput" });
        expect((result as { message: string }).message).toMatch(/detached while the read was in flight/);
      }
      // The memory the buffers moved to was never the kernel's: still zeros.
      for (const bytes of moved) expect(bytes.every((byte) => byte === 0)).toBe(true);
      // Every slot came back: many more reads than slots still read the file.
      await readRounds(file, 64);
      await file.close();
    } finally {
      await runtime.close();
    }
  });

  it("more reads than ring slots wait for slots and each reads its own block", async () => {
    const runtime = openUring({ maxInFlight: 8 });
    try {
      const file = await runtime.fs.open(path);
      const dsts = Array.from({ length: 600 }, () => new Uint8Array(BLOCK));
      const counts = await Promise.all(dsts.map((dst, i) => file.readAt((i % 256) * BLOCK + i, dst)));
      expect(counts.every((count) => count === BLOCK)).toBe(true);
      dsts.forEach((dst, i) => expect(Buffer.from(dst).equals(expected((i % 256) * BLOCK + i, BLOCK))).toBe(true));
      await file.close();
    } finally {
      await runtime.close();
    }
  });

  it("a runtime closed while reads wait behind a held submit thread settles every one (the count or Closed)", async () => {
    // 48 ring records (more than 40 in use, so the held thread has them) and 52 reads waiting for
    // one in the runtime's queue (the file's own limit, 256 here, is not what holds them).
    const runtime = openUring({ submitThread: true, maxInFlight: 48, maxInFlightPerFile: 256 });
    const file = await runtime.fs.open(path);
    runtime.io.holdSubmitThread(true);
    const reads = Array.from({ length: 100 }, (_, i) => outcome(file.readAt(i * BLOCK, new Uint8Array(BLOCK))));
    await turn();
    const closing = runtime.close();
    runtime.io.holdSubmitThread(false);
    await closing;
    for (const result of await Promise.all(reads)) {
      if ("value" in result) expect(result.value).toBe(BLOCK);
      else expect(result).toMatchObject({ kind: "Closed" });
    }
  });

  it("a file closed while its reads are stuck in the ring abandons them (Closed at once); the kernel's late completions give the slots back", async () => {
    const runtime = openUring({ submitThread: true, closeGraceMs: 0 });
    try {
      const file = await runtime.fs.open(path);
      runtime.io.holdSubmitThread(true);
      const reads = Array.from({ length: 64 }, (_, i) => outcome(file.readAt(i * BLOCK, new Uint8Array(BLOCK))));
      await turn();
      // No grace: the close cancels, waits no longer, and abandons what the held thread still has.
      await file.close();
      for (const result of await Promise.all(reads)) expect(result).toMatchObject({ kind: "Closed" });
      runtime.io.holdSubmitThread(false);
      // The late completions release the bounce slots: another file reads as much again, right.
      const other = await runtime.fs.open(path);
      await readRounds(other, 8);
      await other.close();
      // Nothing in flight now: every slot is back, the abandoned reads' ones too (they completed
      // before the later reads, which the thread submitted after them).
      expect(runtime.io.bounce.slotsOut).toBe(0);
    } finally {
      await runtime.close();
    }
  });

  it("a chain of reads that keeps the submit thread busy leaves the event loop its turns (completionSpinUs is bounded)", async () => {
    const runtime = openUring({ submitThread: true, completionSpinUs: 1000 });
    try {
      const file = await runtime.fs.open(path);
      let running = true;
      let reads = 0;
      const lanes = Array.from({ length: 64 }, async (_, lane) => {
        const dst = new Uint8Array(BLOCK);
        while (running) {
          expect(await file.readAt(((lane * 31 + reads) % 256) * BLOCK, dst)).toBe(BLOCK);
          reads++;
        }
      });
      // Each of these needs the loop to come round: a wake-up that kept delivering would hang here.
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        await turn();
      }
      running = false;
      await Promise.all(lanes);
      expect(reads).toBeGreaterThan(0);
      await file.close();
    } finally {
      await runtime.close();
    }
  });
});
