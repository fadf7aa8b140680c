/**
 * The conveniences every integration rewrote: `readRange` (a fresh buffer, short only at the
 * end), `chunks`/`chunksSync` (an iterable of `[start, end)`, end exclusive), and on files
 * `size`/`sizeSync` and `datasync`/`datasyncSync`. The range scenarios run over the seeded store of
 * every backend (MemoryIo too); the file ones where there is a file system.
 */
import { chunks, chunksSync, IoError, readRange, readRangeSync, type FileHandle, type RandomAccess, type Runtime } from "@pktio/core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { has, titled, type Capability } from "./capabilities.js";
import { equalBytes } from "./packetScenarios.js";
import { seededBytes } from "./rng.js";

const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** Ranges that cover the start, the middle, the end and past it. */
function rangesOf(size: number): Array<[number, number]> {
  return [
    [0, 1],
    [0, 4096],
    [12_345, 70_001],
    [size - 10, 10],
    [size - 10, 1000],
    [size, 16],
    [size + 5000, 16],
    [7, 0],
  ];
}

/** The error a call throws, whether it throws at once or from the first `next()`. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

export function describeRanges(getStore: () => RandomAccess, getReference: () => Uint8Array, sync: Capability): void {
  describe("ranges and chunks", () => {
    it("readRange returns a fresh buffer of the range's bytes, short only at the end", async () => {
      const store = getStore();
      const reference = getReference();
      for (const [pos, length] of rangesOf(reference.length)) {
        const bytes = await readRange(store, pos, length);
        const expected = reference.subarray(Math.min(pos, reference.length), Math.min(pos + length, reference.length));
        expect(equalBytes(bytes, expected), `readRange(${pos}, ${length})`).toBe(true);
        expect(bytes.byteOffset).toBe(0);
        expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
      }
      const first = await readRange(store, 0, 8);
      const second = await readRange(store, 0, 8);
      first.fill(0);
      expect(equalBytes(second, reference.subarray(0, 8))).toBe(true);
    });

    it.skipIf(!has(sync))(titled("readRangeSync returns the same bytes", sync), () => {
      const store = getStore();
      const reference = getReference();
      for (const [pos, length] of rangesOf(reference.length)) {
        const expected = reference.subarray(Math.min(pos, reference.length), Math.min(pos + length, reference.length));
        expect(equalBytes(readRangeSync(store, pos, length), expected), `readRangeSync(${pos}, ${length})`).toBe(true);
      }
    });

    it("chunks yields [start, end) in chunkSize pieces, and stops at the end of the data", async () => {
      const store = getStore();
      const reference = getReference();
      const size = reference.length;
      const cases = [
        { start: 0, end: 1_000_000, chunkSize: 65_536 },
        { start: 3, end: 3 + 100_000, chunkSize: 7_777 },
        { start: size - 100_000, chunkSize: 30_000 },
        { start: size - 1000, end: size + 1_000_000, chunkSize: 256 },
        { start: size + 10, chunkSize: 100 },
        { start: 500, end: 500 },
      ];
      for (const options of cases) {
        const parts: Uint8Array[] = [];
        for await (const chunk of chunks(store, options)) parts.push(chunk);
        const end = Math.min(options.end ?? size, size);
        const start = Math.min(options.start, size);
        expect(equalBytes(concat(parts), reference.subarray(start, Math.max(start, end))), JSON.stringify(options)).toBe(true);
        // Every chunk is full but the last; the default chunk is 64 KiB.
        parts.slice(0, -1).forEach((chunk) => expect(chunk.byteLength).toBe(options.chunkSize ?? 65_536));
      }
      const whole: Uint8Array[] = [];
      for await (const chunk of chunks(store, { start: size - 200_000 })) whole.push(chunk);
      expect(whole[0]?.byteLength).toBe(65_536);
      expect(equalBytes(concat(whole), reference.subarray(size - 200_000))).toBe(true);
    });

    it.skipIf(!has(sync))(titled("chunksSync yields the same chunks, each read when asked for", sync), () => {
      const store = getStore();
      const reference = getReference();
      const size = reference.length;
      const parts = [...chunksSync(store, { start: 11, end: 11 + 300_001, chunkSize: 100_000 })];
      expect(parts.map((chunk) => chunk.byteLength)).toEqual([100_000, 100_000, 100_000, 1]);
      expect(equalBytes(concat(parts), reference.subarray(11, 11 + 300_001))).toBe(true);
      expect(equalBytes(concat([...chunksSync(store, { start: size - 5000, chunkSize: 4096 })]), reference.subarray(size - 5000))).toBe(true);
      // Lazy: a consumer that stops early reads no further.
      const iterator = chunksSync(store, { chunkSize: 16 });
      expect(equalBytes(iterator.next().value as Uint8Array, reference.subarray(0, 16))).toBe(true);
      iterator.return();
      expect(iterator.next().done).toBe(true);
    });

    it("chunks and chunksSync check their bounds at the call, with errors that say what is wrong", () => {
      const store = getStore();
      for (const make of [(options: object) => chunks(store, options), (options: object) => chunksSync(store, options)]) {
        const backwards = thrown(() => make({ start: 10, end: 5 }));
        expect(IoError.is(backwards, "InvalidInput")).toBe(true);
        expect((backwards as Error).message).toMatch(/end \(5\) is before start \(10\).*end exclusive/);
        expect(IoError.is(thrown(() => make({ start: -1 })), "InvalidInput")).toBe(true);
        expect((thrown(() => make({ start: 1.5 })) as Error).message).toMatch(/start/);
        expect((thrown(() => make({ chunkSize: 0 })) as Error).message).toMatch(/chunkSize/);
        expect((thrown(() => make({ chunksize: 10 })) as Error).message).toMatch(/unknown option "chunksize"/);
      }
      expect(thrown(() => readRangeSync(store, 0, -1))).toBeInstanceOf(IoError);
    });
  });
}

export function describeFileConveniences(getRuntime: () => Runtime, sync: Capability): void {
  describe("file conveniences", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pktio-conveniences-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("size, datasync, readRange and chunks on a file agree with node:fs", async () => {
      const path = join(dir, "file.bin");
      const data = seededBytes(300_000, 77);
      const file: FileHandle = await getRuntime().fs.open(path, { write: true, create: true, truncate: true });
      try {
        expect(await file.size()).toBe(0);
        await file.writeAllAt(0, data);
        await file.datasync();
        expect(await file.size()).toBe(data.length);
        expect(equalBytes(readFileSync(path), data)).toBe(true);
        expect(equalBytes(await file.readRange(299_990, 100), data.subarray(299_990))).toBe(true);
        const parts: Uint8Array[] = [];
        for await (const chunk of file.chunks({ start: 1, end: 200_001, chunkSize: 50_000 })) parts.push(chunk);
        expect(equalBytes(concat(parts), data.subarray(1, 200_001))).toBe(true);
        await file.truncate(1234);
        expect(await file.size()).toBe(1234);
      } finally {
        await file.close();
      }
      await expect(file.datasync()).rejects.toMatchObject({ kind: "Closed" });
      await expect(file.size()).rejects.toMatchObject({ kind: "Closed" });
    });

    it.skipIf(!has(sync))(titled("sizeSync, datasyncSync, readRangeSync and chunksSync on a file", sync), async () => {
      const path = join(dir, "sync.bin");
      const data = seededBytes(100_000, 78);
      const file = getRuntime().fs.openSync(path, { write: true, create: true, truncate: true });
      try {
        file.writeAllAtSync(0, data);
        file.datasyncSync();
        expect(file.sizeSync()).toBe(data.length);
        expect(equalBytes(file.readRangeSync(99_000, 5000), data.subarray(99_000))).toBe(true);
        expect(equalBytes(concat([...file.chunksSync({ chunkSize: 30_000 })]), data)).toBe(true);
      } finally {
        file.closeSync();
      }
      expect(() => file.datasyncSync()).toThrow(expect.objectContaining({ kind: "Closed" }));
    });
  });
}
