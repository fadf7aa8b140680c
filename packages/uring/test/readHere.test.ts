/**
 * Reads served on the JS thread: with a submit thread more than INLINE_BACKLOG (40) SQEs behind,
 * a submit serves marked reads (a regular file's reads into a bounce slot or a shared packet's own
 * bytes, no deadline) from the page cache with preadv2(RWF_NOWAIT) instead of queueing them behind the thread. The tests hold the thread
 * (holdSubmitThread) to build the backlog, so whether a read was served here is deterministic: a
 * read served here completes while the thread takes nothing, and `readsServedHere` counts it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededBytes } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openUring, probe } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const BLOCK = 4096;
/** The backlog above which a submit serves reads here (binding.c INLINE_BACKLOG). */
const INLINE_BACKLOG = 40;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe.skipIf(!status.ok)(`uring reads served on the JS thread${why}`, () => {
  let dir: string;
  let data: Uint8Array;
  let path: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-readhere-"));
    // Just written, so in the page cache: RWF_NOWAIT reads of it succeed.
    data = seededBytes(1 << 20, 0x4ead);
    path = join(dir, "data.bin");
    writeFileSync(path, data);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts `count` reads of distinct blocks (from block `first`), each into its own buffer. */
  function startReads(file: { readAt(pos: number, dst: Uint8Array): Promise<number> }, first: number, count: number) {
    return Array.from({ length: count }, (_, i) => {
      const dst = new Uint8Array(BLOCK);
      const block = (first + i) % (data.length / BLOCK);
      return file.readAt(block * BLOCK, dst).then((n) => ({ n, dst, block }));
    });
  }

  function expectBlocks(results: { n: number; dst: Uint8Array; block: number }[]): void {
    for (const { n, dst, block } of results) {
      expect(n).toBe(BLOCK);
      expect(Buffer.from(dst).equals(Buffer.from(data.subarray(block * BLOCK, (block + 1) * BLOCK)))).toBe(true);
    }
  }

  type File = Awaited<ReturnType<ReturnType<typeof openUring>["fs"]["open"]>>;
  type Runtime = ReturnType<typeof openUring>;

  /**
   * Opens the file on a ring whose submit thread is held with 100 reads published (100 behind),
   * runs `body` (which releases the thread, or leaves that to this), then checks those 100 reads.
   */
  async function behindBy100(body: (runtime: Runtime, file: File) => Promise<void>): Promise<void> {
    const runtime = openUring({ submitThread: true, maxInFlight: 256, maxInFlightPerFile: 256 });
    try {
      const file = await runtime.fs.open(path);
      runtime.io.holdSubmitThread(true);
      const queued = startReads(file, 0, 100);
      await turn(); // flushed: 100 SQEs published, none taken
      expect(runtime.io.readsServedHere).toBe(0);
      await body(runtime, file);
      runtime.io.holdSubmitThread(false);
      expectBlocks(await Promise.all(queued));
      await file.close();
    } finally {
      await runtime.close();
    }
  }

  it("serves the reads past the backlog with the file's bytes while the thread takes nothing, and the rest after", () =>
    behindBy100(async (runtime, file) => {
      // 100 behind: a submit may serve 100 - 40 = 60 reads here; of a batch of 80 the first 60 are.
      const batch = startReads(file, 100, 80);
      let settled = 0;
      for (const read of batch) void read.then(() => settled++);
      expectBlocks(await Promise.all(batch.slice(0, 100 - INLINE_BACKLOG)));
      expect(runtime.io.readsServedHere).toBe(100 - INLINE_BACKLOG);
      await turn();
      // The other 20 joined the backlog behind the held thread.
      expect(settled).toBe(100 - INLINE_BACKLOG);
      // Now 120 behind: a batch of 10 is served whole.
      expectBlocks(await Promise.all(startReads(file, 200, 10)));
      expect(runtime.io.readsServedHere).toBe(100 - INLINE_BACKLOG + 10);
      runtime.io.holdSubmitThread(false);
      expectBlocks(await Promise.all(batch));
      expect(runtime.io.readsServedHere).toBe(100 - INLINE_BACKLOG + 10);
    }));

  it("serves a read at the end of the file as 0 bytes, sends one the cache cannot serve whole to the ring, then serves none for a while", () =>
    behindBy100(async (runtime, file) => {
      const atEnd = new Uint8Array(BLOCK);
      const straddling = new Uint8Array(BLOCK).fill(0xee);
      const end = file.readAt(data.length, atEnd);
      // Short from the cache (the file ends 100 bytes in): it goes to the ring, behind the thread.
      const short = file.readAt(data.length - 100, straddling);
      expect(await end).toBe(0);
      expect(runtime.io.readsServedHere).toBe(1);
      await turn();
      // The cool-down: this batch is 100 behind as well, yet nothing is served here.
      const later = startReads(file, 300, 20);
      await turn();
      expect(runtime.io.readsServedHere).toBe(1);
      runtime.io.holdSubmitThread(false);
      expect(await short).toBe(100);
      expect(Buffer.from(straddling.subarray(0, 100)).equals(Buffer.from(data.subarray(data.length - 100)))).toBe(true);
      expect(straddling[100]).toBe(0xee); // nothing written past the count
      expectBlocks(await Promise.all(later));
    }));

  it("serves a shared packet's read into its own bytes (no bounce slot), exactly its length and no further", () =>
    behindBy100(async (runtime, file) => {
      // Shared memory cannot be detached, so the ring reads into it directly; served here, so does preadv2.
      const memory = new SharedArrayBuffer(4 * BLOCK);
      const reads = Array.from({ length: 3 }, (_, i) => {
        const dst = new Uint8Array(memory, i * BLOCK, BLOCK);
        return file.readAt((150 + i) * BLOCK, dst).then((n) => ({ n, dst, block: 150 + i }));
      });
      const guard = new Uint8Array(memory, 3 * BLOCK, BLOCK).fill(0xee);
      expectBlocks(await Promise.all(reads));
      expect(runtime.io.readsServedHere).toBe(3);
      expect(guard.every((byte) => byte === 0xee)).toBe(true);
    }));

  it("serves a buffered READ_FIXED into its registered pool slice", async () => {
    const runtime = openUring({ submitThread: true, maxInFlight: 256, maxInFlightPerFile: 256, registeredBuffers: { count: 2, size: 2 * BLOCK } });
    try {
      const file = await runtime.fs.open(path);
      runtime.io.holdSubmitThread(true);
      const queued = startReads(file, 0, 100);
      await turn();
      const slice = runtime.io.pool!.acquire();
      slice.fill(0xee);
      const dst = slice.subarray(0, BLOCK);
      expect(await file.readAt(170 * BLOCK, dst)).toBe(BLOCK);
      expect(runtime.io.readsServedHere).toBe(1);
      expect(Buffer.from(dst).equals(Buffer.from(data.subarray(170 * BLOCK, 171 * BLOCK)))).toBe(true);
      expect(slice.subarray(BLOCK).every((byte) => byte === 0xee)).toBe(true);
      runtime.io.holdSubmitThread(false);
      expectBlocks(await Promise.all(queued));
      await file.close();
    } finally {
      await runtime.close();
    }
  });

  it("never serves a read with a deadline here (its LINK_TIMEOUT needs the ring)", () =>
    behindBy100(async (runtime, file) => {
      const timed = Array.from({ length: 20 }, (_, i) => {
        const dst = new Uint8Array(BLOCK);
        return file.readAt((100 + i) * BLOCK, dst, { timeoutMs: 600_000 }).then((n) => ({ n, dst, block: 100 + i }));
      });
      await turn();
      expect(runtime.io.readsServedHere).toBe(0);
      runtime.io.holdSubmitThread(false);
      expectBlocks(await Promise.all(timed));
      expect(runtime.io.readsServedHere).toBe(0);
    }));

  it("closing the runtime while the thread is held and reads are published settles every read, and frees nothing early", async () => {
    const runtime = openUring({ submitThread: true, maxInFlight: 256, maxInFlightPerFile: 256, closeGraceMs: 0 });
    const file = await runtime.fs.open(path);
    runtime.io.holdSubmitThread(true);
    const queued = startReads(file, 0, 100);
    await turn();
    expectBlocks(await Promise.all(startReads(file, 100, 30)));
    const closed = runtime.close();
    const outcomes = await Promise.allSettled(queued);
    await closed;
    // Each read either has the file's bytes or failed with Closed: none is lost or wrong.
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") expectBlocks([outcome.value]);
      else expect((outcome.reason as { kind?: string }).kind).toBe("Closed");
    }
    expect(runtime.io.readsServedHere).toBe(30);
  });

  it("has no thread to hold on a ring without one", () => {
    const runtime = openUring({ submitThread: false });
    try {
      expect(() => runtime.io.holdSubmitThread(true)).toThrow(/no submit thread/);
      expect(runtime.io.readsServedHere).toBe(0);
    } finally {
      void runtime.close();
    }
  });
});
