/**
 * MemoryStream.pair(): the in-memory transport for protocol tests — ordered delivery, seeded
 * splits (a parser sees the same bytes whatever the cuts, checked by a fast-check property),
 * faults at a byte offset, deadlines, close and shutdown, and the sync helpers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { io, IoError, MemoryIo, MemoryStream, NoPos, Packet, Read, Write, type ByteStream } from "../src/index.js";

const kind = (k: string): unknown => expect.objectContaining({ kind: k });

/** A tiny length-prefixed protocol: u16be length, then that many bytes. The parser under test. */
async function readFrames(stream: ByteStream): Promise<string[]> {
  const frames: string[] = [];
  for (;;) {
    const header = new Uint8Array(2);
    const first = await stream.read(header.subarray(0, 1));
    if (first === 0) return frames;
    await stream.readExact(header.subarray(1));
    const length = (header[0] as number) * 256 + (header[1] as number);
    frames.push(new TextDecoder().decode(await stream.readExact(length)));
  }
}

function frame(text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const bytes = new Uint8Array(2 + body.byteLength);
  bytes[0] = body.byteLength >> 8;
  bytes[1] = body.byteLength & 0xff;
  bytes.set(body, 2);
  return bytes;
}

async function readAll(stream: ByteStream): Promise<Uint8Array> {
  const parts: number[] = [];
  const buffer = new Uint8Array(997);
  for (let count = await stream.read(buffer); count > 0; count = await stream.read(buffer)) parts.push(...buffer.subarray(0, count));
  return Uint8Array.from(parts);
}

describe("MemoryStream.pair", () => {
  it("delivers each side's writes to the other, in order, and ends after shutdown", async () => {
    const [a, b] = MemoryStream.pair();
    await a.writeAll(new Uint8Array([1, 2, 3]));
    await a.writeAll(new Uint8Array([4, 5]));
    await a.shutdown("write");
    await b.writeAll(new Uint8Array([9]));
    expect([...(await readAll(b))]).toEqual([1, 2, 3, 4, 5]);
    expect([...(await a.readExact(1))]).toEqual([9]);
    await expect(b.readExact(1)).rejects.toThrow(kind("UnexpectedEof"));
    await a.close();
    await b.close();
  });

  it("fails a short read's tail with the frozen WouldBlock sentinel, the head's bytes intact", async () => {
    const [a, b] = MemoryStream.pair();
    await a.writeAll(new Uint8Array([7, 8]));
    const dst = new Uint8Array(8);
    const result = await io(b, NoPos, Packet.wrap(dst, Write));
    expect(result.transferred).toBe(2);
    expect([...dst.subarray(0, 2)]).toEqual([7, 8]);
    expect(result.error?.kind).toBe("WouldBlock");
    // One shared error, not one per read: frozen, so no caller can change what the next one sees.
    expect(Object.isFrozen(result.error)).toBe(true);
    await a.writeAll(new Uint8Array([9]));
    expect((await io(b, NoPos, Packet.wrap(dst, Write))).error).toBe(result.error);
    await a.close();
    await b.close();
  });

  it("copies a write: the caller's buffer may change once the write resolved", async () => {
    const [a, b] = MemoryStream.pair();
    const src = new Uint8Array([7, 7, 7]);
    await a.write(src);
    src.fill(0);
    expect([...(await b.readExact(3))]).toEqual([7, 7, 7]);
  });

  it("a parser sees the same frames whatever the seeded splits (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 300 }), { maxLength: 12 }), fc.integer(), fc.integer({ min: 1, max: 64 }), async (texts, seed, maxChunk) => {
        const [a, b] = MemoryStream.pair({ seed, maxChunk });
        const parsed = readFrames(b);
        // Frames are also written in arbitrary pieces: the writer's cuts must not matter either.
        const wire = Uint8Array.from(texts.flatMap((text) => [...frame(text)]));
        for (let at = 0; at < wire.byteLength; ) {
          const next = Math.min(wire.byteLength, at + 1 + ((seed >>> 0) % 37) + (at % 11));
          await a.writeAll(wire.subarray(at, next));
          at = next;
        }
        await a.shutdown("write");
        expect(await parsed).toEqual(texts);
      }),
      { numRuns: 60, seed: 0x5eed14 },
    );
  });

  it("seeded splits are really split and repeatable", async () => {
    const counts = async (): Promise<number[]> => {
      const [a, b] = MemoryStream.pair({ seed: 42 });
      await a.writeAll(new Uint8Array(10_000));
      await a.shutdown("write");
      const seen: number[] = [];
      const buffer = new Uint8Array(4096);
      for (let count = await b.read(buffer); count > 0; count = await b.read(buffer)) seen.push(count);
      return seen;
    };
    const first = await counts();
    expect(first.reduce((sum, count) => sum + count, 0)).toBe(10_000);
    expect(first.length).toBeGreaterThan(3);
    expect(await counts()).toEqual(first);
  });

  it("a read whose buffer is detached while it waits fails InvalidInput and its bytes go to the next read", async () => {
    const [a, b] = MemoryStream.pair();
    const detach = (bytes: Uint8Array): void => void structuredClone(bytes.buffer, { transfer: [bytes.buffer as ArrayBuffer] });
    const victim = new Uint8Array(4);
    const first = b.read(victim).then(
      () => "read",
      (error: IoError) => `${error.kind}: ${error.message}`,
    );
    const next = new Uint8Array(4);
    const second = b.read(next);
    detach(victim);
    await a.writeAll(new Uint8Array([1, 2, 3, 4]));
    expect(await first).toMatch(/^InvalidInput: .*detached/);
    expect(await second).toBe(4);
    expect([...next]).toEqual([1, 2, 3, 4]);
  });

  it("a readExact whose buffer is detached between its pieces fails InvalidInput instead of returning an empty buffer", async () => {
    const [a, b] = MemoryStream.pair();
    const dst = new Uint8Array(8);
    const exact = b.readExact(dst).then(
      (got) => `filled ${got.byteLength}`,
      (error: IoError) => `${error.kind}: ${error.message}`,
    );
    void a.write(new Uint8Array([1, 2, 3, 4]));
    // The first piece's bytes are in; readExact has not started its next piece yet (a microtask away).
    while (dst[3] !== 4) await Promise.resolve();
    structuredClone(dst.buffer, { transfer: [dst.buffer as ArrayBuffer] });
    expect(await exact).toBe("InvalidInput: readExact: dst was detached after 4 of 8 bytes; a buffer belongs to the I/O system until its operation settles");
    await a.writeAll(new Uint8Array([5, 6]));
    expect([...(await b.readExact(2))]).toEqual([5, 6]);
  });

  it("a read fault at a byte offset: the bytes before it arrive, then the error", async () => {
    const [a, b] = MemoryStream.pair({ faults: [{ on: "b", op: "read", at: 5, error: "reset" }] });
    await a.writeAll(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect([...(await b.readExact(5))]).toEqual([1, 2, 3, 4, 5]);
    await expect(b.read(new Uint8Array(4))).rejects.toThrow(kind("ConnectionReset"));
    // A reset is sticky: later reads and writes fail the same way.
    await expect(b.read(new Uint8Array(4))).rejects.toThrow(kind("ConnectionReset"));
    await expect(b.write(new Uint8Array(1))).rejects.toThrow(kind("ConnectionReset"));
  });

  it("an eof fault ends the stream early; a kind fault fails with that kind", async () => {
    const [a, b] = MemoryStream.pair({ faults: [{ on: "b", op: "read", at: 2, error: "eof" }, { on: "a", op: "read", at: 0, error: "TimedOut" }] });
    await a.writeAll(new Uint8Array([1, 2, 3]));
    await expect(b.readExact(3)).rejects.toThrow(kind("UnexpectedEof"));
    await b.writeAll(new Uint8Array([1]));
    await expect(a.read(new Uint8Array(1))).rejects.toThrow(kind("TimedOut"));
  });

  it("a write fault: the bytes before the offset are sent, the write reports the rest failed", async () => {
    const [a, b] = MemoryStream.pair({ faults: [{ on: "a", op: "write", at: 4, error: "BrokenPipe" }] });
    await a.writeAll(new Uint8Array([1, 2]));
    const write = await io(a, NoPos, Packet.wrap(new Uint8Array([3, 4, 5, 6]), Read));
    expect([write.transferred, write.error?.kind]).toEqual([2, "BrokenPipe"]);
    await expect(a.write(new Uint8Array(1))).rejects.toThrow(kind("BrokenPipe"));
    await a.close();
    expect([...(await readAll(b))]).toEqual([1, 2, 3, 4]);
  });

  it("rejects bad options, naming them", () => {
    expect(() => MemoryStream.pair({ seed: 1.5 })).toThrow(/seed/);
    expect(() => MemoryStream.pair({ faults: [{ on: "a", op: "write", at: 0, error: "eof" }] })).toThrow(/write fault cannot be "eof"/);
    expect(() => MemoryStream.pair({ bogus: 1 } as never)).toThrow(/bogus/);
  });

  it("timeoutMs on a read that gets no bytes fails TimedOut and leaves the queue: the next read gets the bytes", async () => {
    const [a, b] = MemoryStream.pair();
    const dst = new Uint8Array(4);
    await expect(b.read(dst, { timeoutMs: 20 })).rejects.toThrow(kind("TimedOut"));
    await a.writeAll(new Uint8Array([1, 2, 3]));
    const next = new Uint8Array(4);
    expect(await b.read(next)).toBe(3);
    expect([...next.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect([...dst]).toEqual([0, 0, 0, 0]);
  });

  it("setDeadline fails pending and later calls TimedOut; a new setDeadline re-arms, null clears", async () => {
    const [a, b] = MemoryStream.pair();
    b.setDeadline(10);
    await expect(b.readExact(2)).rejects.toThrow(kind("TimedOut"));
    await expect(b.read(new Uint8Array(1))).rejects.toThrow(kind("TimedOut"));
    b.setDeadline(null);
    await a.writeAll(new Uint8Array([5]));
    expect(await b.read(new Uint8Array(1))).toBe(1);
    // Re-armed far away: it does not fire while the read completes.
    b.setDeadline(60_000);
    await a.writeAll(new Uint8Array([6]));
    expect(await b.read(new Uint8Array(1))).toBe(1);
    expect(() => b.setDeadline(-1)).toThrow(kind("InvalidInput"));
    await b.close();
  });

  it("a signal aborts a pending read with kind Aborted", async () => {
    const [, b] = MemoryStream.pair();
    const controller = new AbortController();
    const read = b.read(new Uint8Array(1), { signal: controller.signal });
    controller.abort();
    await expect(read).rejects.toThrow(kind("Aborted"));
  });

  it("close fails every pending operation with kind Closed; the peer reads what was sent, then the end", async () => {
    const [a, b] = MemoryStream.pair();
    await b.writeAll(new Uint8Array([1]));
    const pending = [a.readExact(10), a.read(new Uint8Array(4))];
    await Promise.resolve();
    const [first, second] = pending;
    // The first read took the one byte already sent and waits for more; close answers both.
    await a.close();
    await expect(first).rejects.toThrow(kind("Closed"));
    await expect(second).rejects.toThrow(kind("Closed"));
    await expect(b.write(new Uint8Array(1))).rejects.toThrow(kind("BrokenPipe"));
    expect(await b.read(new Uint8Array(1))).toBe(0);
  });

  it("shutdown('read') ends pending and later reads; the peer's writes then fail BrokenPipe", async () => {
    const [a, b] = MemoryStream.pair();
    const pending = b.read(new Uint8Array(1));
    await b.shutdown("read");
    expect(await pending).toBe(0);
    await expect(a.write(new Uint8Array(1))).rejects.toThrow(kind("BrokenPipe"));
  });

  it("readExactSync and writeAllSync drive the pair's queue on this thread", () => {
    const [a, b] = MemoryStream.pair({ seed: 3, maxChunk: 2 });
    a.writeAllSync(new Uint8Array([1, 2, 3, 4, 5]));
    expect([...b.readExactSync(5)]).toEqual([1, 2, 3, 4, 5]);
    // Nothing was sent: blocking could never finish, so it says so instead of hanging.
    expect(() => b.readExactSync(1)).toThrow(kind("WouldBlock"));
  });

  it("a timeoutMs past the timer limit is InvalidInput, not a timer that fires at once", async () => {
    const [, b] = MemoryStream.pair();
    await expect(b.read(new Uint8Array(1), { timeoutMs: 2 ** 31 })).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/up to 2147483647/) }));
    await expect(b.readExact(1, { timeoutMs: 2 ** 40 })).rejects.toThrow(kind("InvalidInput"));
    expect(() => io(new MemoryIo(new Uint8Array(4)), 0, Packet.alloc(1, Write), undefined, { timeoutMs: 1e12 })).toThrow(kind("InvalidInput"));
    // The limit itself is a valid deadline.
    const pending = b.read(new Uint8Array(1), { timeoutMs: 2 ** 31 - 1 });
    await b.close();
    await expect(pending).rejects.toThrow(kind("Closed"));
  });

  it("a sync read that could not finish leaves the queue: its buffer gets nothing, the next read gets every byte", async () => {
    const [a, b] = MemoryStream.pair();
    const orphan = new Uint8Array(4);
    expect(() => b.readExactSync(orphan)).toThrow(kind("WouldBlock"));
    await a.writeAll(new Uint8Array([1, 2, 3, 4, 5, 6]));
    const dst = new Uint8Array(8);
    expect(await b.read(dst)).toBe(6);
    expect([...dst.subarray(0, 6)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...orphan]).toEqual([0, 0, 0, 0]);
  });

  it("a raw read packet completes with what arrived and fails the rest WouldBlock", async () => {
    const [a, b] = MemoryStream.pair();
    await a.writeAll(new Uint8Array([1, 2]));
    const result = await io(b, NoPos, Packet.alloc(8, Write));
    expect(result.transferred).toBe(2);
    expect(result.error).toBeInstanceOf(IoError);
    expect(result.error?.kind).toBe("WouldBlock");
  });
});
