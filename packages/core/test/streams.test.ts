import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import {
  createReadable,
  createReadableStream,
  createWritable,
  IoError,
  MemoryIo,
  type BoundPacketView,
  type PacketIo,
  type Pos,
  type ReadStreamOptions,
  type Write,
  type WriteStreamOptions,
} from "../src/index.js";

const range = (length: number, from = 0): Uint8Array => Uint8Array.from({ length }, (_, i) => (from + i) & 0xff);

/** Every chunk a Node Readable yields, with the chunks' sizes. */
async function drain(readable: Readable): Promise<{ bytes: number[]; sizes: number[] }> {
  const bytes: number[] = [];
  const sizes: number[] = [];
  for await (const chunk of readable as AsyncIterable<Uint8Array>) {
    sizes.push(chunk.byteLength);
    bytes.push(...chunk);
  }
  return { bytes, sizes };
}

/** Every chunk a WHATWG stream yields through a default reader. */
async function drainStream(stream: ReadableStream<Uint8Array>): Promise<{ bytes: number[]; sizes: number[] }> {
  const reader = stream.getReader();
  const bytes: number[] = [];
  const sizes: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    sizes.push(value.byteLength);
    bytes.push(...value);
  }
  return { bytes, sizes };
}

const invalidNaming = (key: string): unknown =>
  expect.objectContaining({ kind: "InvalidInput", message: expect.stringContaining(JSON.stringify(key)) });

describe("createWritable", () => {
  it("writes piped chunks one after another from start", async () => {
    const mem = new MemoryIo(new Uint8Array([0xee, 0xee]));
    const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array([4]), new Uint8Array(0), new Uint8Array([5, 6])];
    await pipeline(Readable.from(chunks), createWritable(mem, { start: 4 }));
    expect(Array.from(mem.snapshot())).toEqual([0xee, 0xee, 0, 0, 1, 2, 3, 4, 5, 6]);
  });

  it("starts at 0 by default and overwrites in place", async () => {
    const mem = new MemoryIo(range(8, 100));
    await pipeline(Readable.from([Buffer.from("ab"), Buffer.from("cd")]), createWritable(mem));
    expect(Array.from(mem.snapshot())).toEqual([0x61, 0x62, 0x63, 0x64, 104, 105, 106, 107]);
  });

  it("accepts a bigint start", async () => {
    const mem = new MemoryIo();
    await pipeline(Readable.from([new Uint8Array([7, 8])]), createWritable(mem, { start: 3n }));
    expect(Array.from(mem.snapshot())).toEqual([0, 0, 0, 7, 8]);
  });

  it("a large piped body lands intact", async () => {
    const body = range(300_000, 17);
    const chunks = [body.subarray(0, 65_536), body.subarray(65_536, 65_537), body.subarray(65_537)];
    const mem = new MemoryIo();
    await pipeline(Readable.from(chunks), createWritable(mem, { start: 1 }));
    expect(mem.size).toBe(300_001);
    expect(Buffer.from(mem.snapshot().subarray(1)).equals(Buffer.from(body))).toBe(true);
  });

  it("fails the pipeline with the target's error", async () => {
    const mem = new MemoryIo(undefined, { maxSize: 4 });
    const failure = pipeline(Readable.from([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])]), createWritable(mem));
    await expect(failure).rejects.toThrow(expect.objectContaining({ kind: "NoSpace" }));
    expect(Array.from(mem.snapshot())).toEqual([1, 2, 3]);
  });

  it("rejects unknown options and bad starts up front", () => {
    const mem = new MemoryIo();
    expect(() => createWritable(mem, { strat: 1 } as unknown as WriteStreamOptions)).toThrow(invalidNaming("strat"));
    expect(() => createWritable(mem, { start: -1 })).toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/start/) }));
    expect(() => createWritable(mem, { start: "1" } as unknown as WriteStreamOptions)).toThrow(IoError);
  });
});

describe("createReadable", () => {
  const data = range(100);

  it("reads everything by default", async () => {
    const { bytes } = await drain(createReadable(new MemoryIo(data)));
    expect(bytes).toEqual(Array.from(data));
  });

  it("a last chunk much shorter than its read is copied out, so it does not pin the whole buffer", async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of createReadable(new MemoryIo(data))) chunks.push(chunk as Uint8Array);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.buffer.byteLength).toBeLessThan(64 * 1024);
    const near: Uint8Array[] = [];
    for await (const chunk of createReadable(new MemoryIo(range(90)), { chunkSize: 100 })) near.push(chunk as Uint8Array);
    expect(near[0]?.buffer.byteLength).toBeGreaterThanOrEqual(100);
  });

  it("reads [start, end) in chunks of chunkSize", async () => {
    const { bytes, sizes } = await drain(createReadable(new MemoryIo(data), { start: 10, end: 33, chunkSize: 5 }));
    expect(bytes).toEqual(Array.from(data.subarray(10, 33)));
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
  });

  it("stops at the end of the data when end is past it", async () => {
    const { bytes, sizes } = await drain(createReadable(new MemoryIo(data), { start: 90, end: 1000, chunkSize: 4 }));
    expect(bytes).toEqual(Array.from(data.subarray(90)));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it("yields nothing from past the end, for end == start, and for end < start", async () => {
    const mem = new MemoryIo(data);
    expect((await drain(createReadable(mem, { start: 100 }))).bytes).toEqual([]);
    expect((await drain(createReadable(mem, { start: 500, chunkSize: 7 }))).bytes).toEqual([]);
    expect((await drain(createReadable(mem, { start: 20, end: 20 }))).bytes).toEqual([]);
    expect((await drain(createReadable(mem, { start: 20, end: 10 }))).bytes).toEqual([]);
  });

  it("accepts bigint start and end", async () => {
    const { bytes } = await drain(createReadable(new MemoryIo(data), { start: 1n, end: 4n }));
    expect(bytes).toEqual([1, 2, 3]);
  });

  it("takes Node's highWaterMark name for the chunk size", async () => {
    const { bytes, sizes } = await drain(createReadable(new MemoryIo(data), { start: 10, end: 33, highWaterMark: 5 }));
    expect(bytes).toEqual(Array.from(data.subarray(10, 33)));
    expect(sizes).toEqual([5, 5, 5, 5, 3]);
    expect((await drain(createReadable(new MemoryIo(data), { chunkSize: 50, highWaterMark: 50 }))).sizes).toEqual([50, 50]);
  });

  it("keeps readAhead reads in flight and pushes their chunks in order, whatever order they settle in", async () => {
    const mem = new MemoryIo(range(1000));
    const held: { pos: Pos; view: BoundPacketView<Write> }[] = [];
    const gate: PacketIo<Write, Pos> = { sendIo: (pos, view) => void held.push({ pos, view }) };
    const readable = createReadable(gate, { chunkSize: 100, readAhead: 3, end: 1000 });
    const chunks: Uint8Array[] = [];
    readable.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    const ended = new Promise((resolve, reject) => readable.on("end", resolve).on("error", reject));
    /** Waits until the stream has asked for `count` reads (each one a promise hop away). */
    const heldAtLeast = async (count: number): Promise<void> => {
      while (held.length < count) await new Promise((resolve) => setImmediate(resolve));
    };
    await heldAtLeast(3);
    expect(held.map(({ pos }) => pos)).toEqual([0, 100, 200]);
    // Settle the last first: nothing is pushed until the head settles.
    const [first, second, third] = held.splice(0) as [(typeof held)[number], (typeof held)[number], (typeof held)[number]];
    mem.sendIo(third.pos, third.view);
    mem.sendIo(second.pos, second.view);
    await mem.close();
    expect(chunks).toHaveLength(0);
    const again = new MemoryIo(range(1000));
    again.sendIo(first.pos, first.view);
    // The rest go through as they come.
    gate.sendIo = (pos, view) => again.sendIo(pos, view);
    for (const { pos, view } of held.splice(0)) again.sendIo(pos, view);
    await ended;
    expect(Array.from(Buffer.concat(chunks))).toEqual(Array.from(range(1000)));
    expect(chunks.every((chunk) => chunk.byteLength === 100)).toBe(true);
  });

  it("a short read ends the stream even with later reads in flight; a later error after it is not reported", async () => {
    const mem = new MemoryIo(range(250));
    let reads = 0;
    const flaky: PacketIo<Write, Pos> = {
      sendIo: (pos, view) => (++reads > 3 ? view.fail(new IoError("Other", "past the data")) : mem.sendIo(pos, view)),
    };
    const { bytes } = await drain(createReadable(flaky, { chunkSize: 100, readAhead: 4 }));
    expect(bytes).toEqual(Array.from(range(250)));
  });

  it("destroys the stream with a non-EOF error", async () => {
    const denied: PacketIo<Write, Pos> = {
      sendIo: (_pos: Pos, view: BoundPacketView<Write>) => view.fail(new IoError("PermissionDenied", "no")),
    };
    await expect(drain(createReadable(denied))).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
  });

  it.each<[string, Record<string, unknown>]>([
    ["chunksize", { chunksize: 4 }],
    ["stat", { stat: 0, end: 4 }],
    ["highwatermark", { highwatermark: 16 }],
  ])("an unknown key %s is InvalidInput naming it", (key, options) => {
    expect(() => createReadable(new MemoryIo(), options as ReadStreamOptions)).toThrow(invalidNaming(key));
    expect(() => createReadableStream(new MemoryIo(), options as ReadStreamOptions)).toThrow(invalidNaming(key));
  });

  it.each<[string, ReadStreamOptions]>([
    ["start", { start: -1 }],
    ["end", { end: 1.5 }],
    ["chunkSize", { chunkSize: 0 }],
    ["chunkSize", { chunkSize: 2.5 }],
    ["highWaterMark", { highWaterMark: 0 }],
    ["readAhead", { readAhead: 0 }],
    ["readAhead", { readAhead: 65 }],
    ["highWaterMark", { chunkSize: 4, highWaterMark: 8 }],
  ])("a bad %s is InvalidInput naming it", (key, options) => {
    const named = expect.objectContaining({ kind: "InvalidInput", message: expect.stringContaining(key) });
    expect(() => createReadable(new MemoryIo(), options)).toThrow(named);
    expect(() => createReadableStream(new MemoryIo(), options)).toThrow(named);
  });
});

describe("createReadableStream", () => {
  const data = range(50, 200);

  it("serves a default reader over the whole data", async () => {
    const { bytes } = await drainStream(createReadableStream(new MemoryIo(data)));
    expect(bytes).toEqual(Array.from(data));
  });

  it("serves a default reader over [start, end) in chunkSize pieces", async () => {
    const { bytes, sizes } = await drainStream(createReadableStream(new MemoryIo(data), { start: 5, end: 17, chunkSize: 4 }));
    expect(bytes).toEqual(Array.from(data.subarray(5, 17)));
    expect(sizes).toEqual([4, 4, 4]);
  });

  it("stops at the end of the data when end is past it", async () => {
    const { bytes, sizes } = await drainStream(createReadableStream(new MemoryIo(data), { start: 44, end: 10_000, chunkSize: 4 }));
    expect(bytes).toEqual(Array.from(data.subarray(44)));
    expect(sizes).toEqual([4, 2]);
  });

  it("yields nothing past the end or for end < start", async () => {
    const mem = new MemoryIo(data);
    expect((await drainStream(createReadableStream(mem, { start: 50 }))).bytes).toEqual([]);
    expect((await drainStream(createReadableStream(mem, { start: 9, end: 3 }))).bytes).toEqual([]);
    expect((await drainStream(createReadableStream(new MemoryIo()))).bytes).toEqual([]);
  });

  it("fills a BYOB reader's own buffer", async () => {
    const reader = createReadableStream(new MemoryIo(data), { start: 10, end: 16 }).getReader({ mode: "byob" });
    const first = await reader.read(new Uint8Array(4));
    expect(first.done).toBe(false);
    expect(Array.from(first.value ?? [])).toEqual(Array.from(data.subarray(10, 14)));
    const second = await reader.read(new Uint8Array(4));
    expect(Array.from(second.value ?? [])).toEqual(Array.from(data.subarray(14, 16)));
    const third = await reader.read(new Uint8Array(4));
    expect(third.done).toBe(true);
  });

  it("errors the stream with a non-EOF error", async () => {
    const denied: PacketIo<Write, Pos> = {
      sendIo: (_pos: Pos, view: BoundPacketView<Write>) => view.fail(new IoError("PermissionDenied", "no")),
    };
    await expect(drainStream(createReadableStream(denied))).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
  });
});
