/**
 * The deadline/abort contract (design.md §7) on a real operation that never completes: a read
 * of a FIFO with no data (opened read/write, so neither the open nor the read gets an EOF). The
 * caller's promise settles at the deadline or abort; the packet stays in flight until the OS
 * lets go of its buffer, which the test makes happen by writing into the FIFO; nothing is
 * written into the buffer after it is released. Every wait is on an event, never on a duration.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, IoError, Packet, whenReleased, Write, type FileHandle, type RandomAccess, type Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncOutcome } from "./internal/syncOutcome.js";

/** Why a FIFO cannot be made here, or undefined when it can. */
function fifoMissing(dir: string): string | undefined {
  try {
    execFileSync("mkfifo", [join(dir, "probe")], { stdio: "ignore" });
    rmSync(join(dir, "probe"));
    return undefined;
  } catch (error) {
    return `mkfifo is not available here (${String(error)})`;
  }
}

export function describeDeadlines(getRuntime: () => Runtime): void {
  describe("deadlines and aborts on an operation that never completes", () => {
    let dir: string;
    let missing: string | undefined;
    let count = 0;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pktio-deadline-"));
      missing = fifoMissing(dir);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** A fresh FIFO opened read/write, and a way to feed it so that a blocked read completes. */
    const openFifo = async (): Promise<{ file: FileHandle; path: string; feed: (bytes: Uint8Array) => void }> => {
      const path = join(dir, `fifo-${count++}`);
      execFileSync("mkfifo", [path]);
      const file = await getRuntime().fs.open(path, { read: true, write: true });
      // O_WRONLY|O_NONBLOCK succeeds because the handle above holds the FIFO open for reading.
      return { file, path, feed: (bytes) => writeFileSync(path, bytes, { flag: "a" }) };
    };

    const needFifo = (): boolean => missing === undefined;

    it("a FIFO read whose buffer is detached while it waits fails InvalidInput, and the bytes that come go to the next read", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file, feed } = await openFifo();
      const detachable = new Uint8Array(8);
      const waiting = file.readAt(0, detachable).then(() => "read", (error: unknown) => (error as IoError).kind);
      // A few turns: the read reaches the kernel (uring) or the pipe's queue (libuv, threaded).
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      structuredClone(detachable.buffer, { transfer: [detachable.buffer] });
      feed(new TextEncoder().encode("ABCDEFGH"));
      expect(await waiting).toBe("InvalidInput");
      const next = new Uint8Array(8);
      expect(await file.readAt(0, next)).toBe(8);
      expect(new TextDecoder().decode(next)).toBe("ABCDEFGH");
      await file.close();
    });

    it("closeSync() with a read waiting on a FIFO nobody writes settles it Closed, without waiting for the runtime's close", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file } = await openFifo();
      const waiting = file.readAt(0, new Uint8Array(8)).then(() => "read", (error: unknown) => (error as IoError).kind);
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      file.closeSync();
      // Settles by itself: before, uring's read waited in the kernel until rt.close().
      expect(await waiting).toBe("Closed");
    });

    it("reads waiting on a FIFO never hold back a write on the same handle: the write lands and feeds them, in order", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file } = await openFifo();
      // uring once gave both of the FIFO's two slots to the reads: the write waited, and all three timed out.
      const first = new Uint8Array(5);
      const second = new Uint8Array(5);
      const reads = [file.readAt(0, first), file.readAt(0, second)];
      expect(await file.writeAt(0, new TextEncoder().encode("helloworld"))).toBe(10);
      expect(await Promise.all(reads)).toEqual([5, 5]);
      expect(new TextDecoder().decode(first) + new TextDecoder().decode(second)).toBe("helloworld");
      await file.close();
    });

    it("a sync read or write of a FIFO with a deadline either ends TimedOut in the kernel or is Unsupported at once; nothing is left pending and no byte is taken", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file, feed } = await openFifo();
      // uring blocks in io_uring_enter, bounded by its LINK_TIMEOUT; libuv and threaded serve a
      // FIFO in the event loop, which cannot run while the thread blocks: Unsupported.
      const withDeadline = syncOutcome(() => file.readAtSync(0, new Uint8Array(8), { timeoutMs: 50 }));
      expect(["TimedOut", "Unsupported"]).toContain(withDeadline);
      // A write that cannot finish (1 MiB into a pipe nobody reads), on a FIFO of its own.
      const { file: full } = await openFifo();
      expect(["TimedOut", "Unsupported"]).toContain(syncOutcome(() => full.writeAllAtSync(0, new Uint8Array(1024 * 1024), { timeoutMs: 50 })));
      await full.close();
      // The read that gave up took nothing: bytes fed later go to the next read, whole.
      feed(new Uint8Array([7, 8, 9]));
      const dst = new Uint8Array(3);
      expect(await file.readAt(0, dst)).toBe(3);
      expect([...dst]).toEqual([7, 8, 9]);
      await file.close();
    });

    it("timeoutMs on a FIFO read with no data settles with TimedOut; inFlight until the OS lets go", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file, feed } = await openFifo();
      const packet = Packet.alloc(4, Write);
      const result = await io(file, 0, packet, undefined, { timeoutMs: 50 });
      expect(result.error?.kind).toBe("TimedOut");
      expect(result.error).toBeInstanceOf(IoError);
      // The error names the backend whose operation took too long, as its other errors do.
      expect(result.error?.backend).toBe(file.backend.name);
      // The read may still be in the kernel (libuv, threaded) or its cancel still on its way (uring).
      const released = packet.released;
      feed(new Uint8Array([1, 2, 3, 4]));
      const outcome = await released;
      expect(packet.inFlight).toBe(false);
      expect(outcome).toBeDefined();
      // After release the buffer is the caller's: nothing more lands in it.
      packet.bytes.fill(0x55);
      await file.close();
      expect(packet.bytes.every((byte) => byte === 0x55)).toBe(true);
    });

    it("an abort after submission settles readAt with Aborted; whenReleased(dst) waits for the OS", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file, feed } = await openFifo();
      const controller = new AbortController();
      const dst = new Uint8Array(4);
      const reading = file.readAt(0, dst, { signal: controller.signal });
      controller.abort();
      await expect(reading).rejects.toThrow(expect.objectContaining({ kind: "Aborted" }));
      const released = whenReleased(dst);
      feed(new Uint8Array([9, 9, 9, 9]));
      await released;
      dst.fill(0x77);
      await file.close();
      expect(dst.every((byte) => byte === 0x77)).toBe(true);
    });

    it("many reads queued behind a blocked one all settle at the abort", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file, feed } = await openFifo();
      const controller = new AbortController();
      const packets = Array.from({ length: 32 }, () => Packet.alloc(1, Write));
      const settling = packets.map((packet) => io(file, 0, packet, undefined, { signal: controller.signal }));
      controller.abort();
      const results = await Promise.all(settling);
      expect(results.every((result) => result.error?.kind === "Aborted")).toBe(true);
      // Feed one byte per read that may still be in the OS, then every packet is released.
      feed(new Uint8Array(32));
      await Promise.all(packets.map((packet) => packet.released));
      expect(packets.every((packet) => !packet.inFlight)).toBe(true);
      await file.close();
    });

    it("a read the data reaches before the deadline returns the data", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file, feed } = await openFifo();
      feed(new Uint8Array([5, 6, 7]));
      const dst = new Uint8Array(3);
      expect(await file.readAt(0, dst, { timeoutMs: 60_000 })).toBe(3);
      expect([...dst]).toEqual([5, 6, 7]);
      await file.close();
    });

    it("readToEnd takes a deadline and a signal: on a FIFO nobody writes it fails TimedOut or Aborted instead of waiting for ever", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file } = await openFifo();
      await expect(file.readToEnd(0, { timeoutMs: 50 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
      const controller = new AbortController();
      const aborted = file.readToEnd(0, { signal: controller.signal });
      controller.abort();
      await expect(aborted).rejects.toThrow(expect.objectContaining({ kind: "Aborted" }));
      await expect(file.readToEnd(0, { timeoutMs: -1 })).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput" }));
      await file.close();
    });

    it("a FIFO read with a deadline that finds fewer bytes than it asked for returns them at once (async and sync), as without one", async (context) => {
      if (!needFifo()) return context.skip(missing);
      const { file, feed } = await openFifo();
      // uring once sent the rest of a short read with a deadline again: it waited out the
      // deadline on the empty pipe and failed TimedOut, the five bytes taken and lost.
      feed(new Uint8Array([1, 2, 3, 4, 5]));
      const dst = new Uint8Array(16);
      expect(await file.readAt(0, dst, { timeoutMs: 60_000 })).toBe(5);
      expect([...dst.subarray(0, 5)]).toEqual([1, 2, 3, 4, 5]);
      feed(new Uint8Array([6, 7]));
      const sync = new Uint8Array(16);
      let count: number | string;
      try {
        count = file.readAtSync(0, sync, { timeoutMs: 60_000 });
      } catch (error) {
        count = (error as { kind?: string }).kind ?? String(error);
      }
      // libuv and threaded serve a FIFO in the event loop: a sync read with a deadline is Unsupported (above).
      if (count === "Unsupported") expect(await file.readAt(0, sync)).toBe(2);
      else expect(count).toBe(2);
      expect([...sync.subarray(0, 2)]).toEqual([6, 7]);
      await file.close();
    });
  });
}

/**
 * On any target, file system or not: an abort right after submission answers the caller at
 * once with Aborted — unless the completion won the race (uring reaps inline while it cancels),
 * and then with the whole, right data. The packet stays in flight until the target settles its
 * pieces; `released` then says what the target did.
 */
export function describeAbortAfterSubmission(getStore: () => RandomAccess, reference: () => Uint8Array): void {
  describe("aborts after submission", () => {
    it("settle the caller with Aborted (or the data, if the completion won); the buffer is released when the target is done", async () => {
      const packets = Array.from({ length: 16 }, () => Packet.alloc(4096, Write));
      const controller = new AbortController();
      const settling = packets.map((packet, i) => io(getStore(), i * 4096, packet, undefined, { signal: controller.signal }));
      controller.abort();
      const results = await Promise.all(settling);
      results.forEach((result, i) => {
        if (result.error === undefined) expect(Buffer.compare((packets[i] as Packet<Write>).bytes, reference().subarray(i * 4096, i * 4096 + 4096))).toBe(0);
        else expect([result.error.kind, result.transferred]).toEqual(["Aborted", 0]);
      });
      const outcomes = await Promise.all(packets.map((packet) => packet.released));
      expect(packets.every((packet) => !packet.inFlight)).toBe(true);
      // What did land is the file's data: a read the target finished anyway is whole and right.
      outcomes.forEach((outcome, i) => {
        const data = reference().subarray(i * 4096, i * 4096 + 4096);
        const packet = packets[i] as Packet<Write>;
        if (outcome?.error === undefined) expect(Buffer.compare(packet.bytes, data)).toBe(0);
        else expect(["Aborted", "TimedOut"]).toContain(outcome.error.kind);
      });
    });
  });
}
