/**
 * Socket deadlines, cancellation and close on a connected `ByteStream` (design.md §8), run on
 * every backend's TCP and on `MemoryStream.pair()`: `timeoutMs` and `signal` on a read that gets
 * no bytes answer on time and leave the queue without eating the bytes that come later; the
 * connection deadline (`setDeadline`) fails pending and later calls, is replaced by the next one
 * and cleared by null; close settles every pending operation with kind Closed; the sync helpers
 * work where the backend blocks and are Unsupported (with the reason) where it cannot.
 * Every wait is on an event; a hang fails at the bounded TIMEOUT.
 */
import { whenReleased, type ByteStream } from "@pktio/core";
import { afterEach, describe, expect, it } from "vitest";
import { has, reasonOf, type Capability } from "./capabilities.js";
import { syncOutcome } from "./internal/syncOutcome.js";

const TIMEOUT = 10_000;

/** A stream under test, connected to a peer the scenario drives. */
export interface ConnectedStream {
  readonly stream: ByteStream;
  /** The peer sends `bytes` to the stream. */
  send(bytes: Uint8Array): Promise<void>;
  /** Releases the stream and its peer. */
  close(): Promise<void>;
}

export type ConnectStream = () => Promise<ConnectedStream>;

const kind = (k: string): unknown => expect.objectContaining({ kind: k });

export function describeStreamDeadlines(connect: ConnectStream, syncSockets: Capability): void {
  describe("stream deadlines, cancellation and close", () => {
    const open: ConnectedStream[] = [];
    const connected = async (): Promise<ConnectedStream> => {
      const pair = await connect();
      open.push(pair);
      return pair;
    };
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((pair) => pair.close()));
    });

    it(
      "a read with timeoutMs that gets no bytes fails TimedOut; the bytes sent later go to the next read",
      async () => {
        const { stream, send } = await connected();
        const dst = new Uint8Array(8);
        await expect(stream.read(dst, { timeoutMs: 50 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut", backend: stream.backend.name }));
        await whenReleased(dst);
        await send(new Uint8Array([1, 2, 3]));
        expect([...(await stream.readExact(3))]).toEqual([1, 2, 3]);
        expect([...dst], "the timed-out read's buffer got bytes").toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      },
      TIMEOUT,
    );

    it(
      "a signal aborts a pending read with kind Aborted, and many timed-out reads lose no byte",
      async () => {
        const { stream, send } = await connected();
        const controller = new AbortController();
        const reads = Array.from({ length: 64 }, () => stream.read(new Uint8Array(4), { signal: controller.signal }));
        controller.abort();
        for (const read of reads) await expect(read).rejects.toThrow(kind("Aborted"));
        await expect(stream.read(new Uint8Array(4), { signal: controller.signal })).rejects.toThrow(kind("Aborted"));
        await send(new Uint8Array([9, 8, 7, 6]));
        expect([...(await stream.readExact(4))]).toEqual([9, 8, 7, 6]);
      },
      TIMEOUT,
    );

    it(
      "setDeadline fails a pending readExact and later calls with TimedOut until it is cleared",
      async () => {
        const { stream, send } = await connected();
        stream.setDeadline(30);
        await expect(stream.readExact(4)).rejects.toThrow(kind("TimedOut"));
        await expect(stream.read(new Uint8Array(1))).rejects.toThrow(kind("TimedOut"));
        await expect(stream.write(new Uint8Array(1))).rejects.toThrow(kind("TimedOut"));
        stream.setDeadline(null);
        await send(new Uint8Array([4, 5]));
        expect([...(await stream.readExact(2))]).toEqual([4, 5]);
      },
      TIMEOUT,
    );

    it(
      "a new setDeadline replaces the previous one (the old one never fires)",
      async () => {
        const { stream, send } = await connected();
        const clock = await connected();
        stream.setDeadline(20);
        stream.setDeadline(60_000);
        const pending = stream.readExact(2);
        // The clock stream's deadline of the same length was armed later, so it fires after the
        // replaced one would have: when it has, the replaced deadline did not fail the read.
        clock.stream.setDeadline(20);
        await expect(clock.stream.read(new Uint8Array(1))).rejects.toThrow(kind("TimedOut"));
        await send(new Uint8Array([1, 2]));
        expect([...(await pending)]).toEqual([1, 2]);
        expect(() => stream.setDeadline(-5)).toThrow(kind("InvalidInput"));
      },
      TIMEOUT,
    );

    it(
      "a readExact that times out after taking some bytes gives them back: the retry returns the whole message",
      async () => {
        const { stream, send } = await connected();
        await send(new Uint8Array([1, 2, 3]));
        const dst = new Uint8Array(8);
        await expect(stream.readExact(dst, { timeoutMs: 50 })).rejects.toThrow(kind("TimedOut"));
        await send(new Uint8Array([4, 5, 6, 7, 8, 9]));
        // Whether or not the first bytes had arrived before the timeout, none is lost or repeated.
        expect([...(await stream.readExact(8))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        const rest = new Uint8Array(4);
        expect(await stream.read(rest)).toBe(1);
        expect(rest[0]).toBe(9);
      },
      TIMEOUT,
    );

    it(
      "bytes given back by an aborted readExact reach a plain read, a smaller readExact and the next call in order",
      async () => {
        const { stream, send } = await connected();
        await send(new Uint8Array([10, 11, 12, 13, 14]));
        // The signal fires while the call waits for the 11 bytes that never come.
        const failed = await stream.readExact(new Uint8Array(16), { signal: AbortSignal.timeout(50) }).then(
          () => "returned",
          (error: { kind?: string }) => error.kind,
        );
        expect(["Aborted", "TimedOut"]).toContain(failed);
        const two = new Uint8Array(2);
        expect(await stream.read(two)).toBe(2);
        expect([...two]).toEqual([10, 11]);
        expect([...(await stream.readExact(2))]).toEqual([12, 13]);
        await send(new Uint8Array([15]));
        expect([...(await stream.readExact(2))]).toEqual([14, 15]);
      },
      TIMEOUT,
    );

    it(
      "close settles pending reads and writes with kind Closed",
      async () => {
        const { stream } = await connected();
        const reads = [stream.read(new Uint8Array(4)), stream.readExact(16)];
        const closing = stream.close();
        for (const read of reads) await expect(read).rejects.toThrow(kind("Closed"));
        await closing;
        await expect(stream.write(new Uint8Array(1))).rejects.toThrow(kind("Closed"));
      },
      TIMEOUT,
    );

    if (has(syncSockets)) {
      it(
        "a sync read under timeoutMs or the connection deadline returns instead of blocking for ever, and the bytes that come later go to the next read",
        async () => {
          const { stream, send } = await connected();
          // No timer runs while the thread blocks: the backend bounds the wait itself (uring in the
          // kernel: TimedOut); one that sees nothing can ever arrive says WouldBlock (MemoryStream).
          expect(["TimedOut", "WouldBlock"]).toContain(syncOutcome(() => stream.readExactSync(4, { timeoutMs: 50 })));
          stream.setDeadline(50);
          expect(["TimedOut", "WouldBlock"]).toContain(syncOutcome(() => stream.readExactSync(4)));
          stream.setDeadline(null);
          await send(new Uint8Array([5, 6, 7, 8]));
          expect([...(await stream.readExact(4))]).toEqual([5, 6, 7, 8]);
        },
        TIMEOUT,
      );
    }

    if (has(syncSockets)) {
      it(
        "a readExactSync that times out after taking some bytes gives them back to the next read",
        async () => {
          const { stream, send } = await connected();
          await send(new Uint8Array([21, 22, 23]));
          const dst = new Uint8Array(6);
          expect(["TimedOut", "WouldBlock"]).toContain(syncOutcome(() => stream.readExactSync(dst, { timeoutMs: 50 })));
          await send(new Uint8Array([24, 25, 26]));
          expect([...stream.readExactSync(6)]).toEqual([21, 22, 23, 24, 25, 26]);
        },
        TIMEOUT,
      );
    }

    it(
      has(syncSockets) ? "readExactSync and writeAllSync block on the stream" : `readExactSync and writeAllSync fail Unsupported (${reasonOf(syncSockets)})`,
      async () => {
        const { stream, send } = await connected();
        if (has(syncSockets)) {
          await send(new Uint8Array([3, 1, 4]));
          expect([...stream.readExactSync(3)]).toEqual([3, 1, 4]);
          stream.writeAllSync(new Uint8Array([1]));
          return;
        }
        // Where the backend cannot block, both say so with a reason instead of hanging.
        expect(() => stream.readExactSync(1)).toThrow(expect.objectContaining({ kind: "Unsupported", message: expect.stringMatching(/\w{4,} .*\w{4,}/) }));
        expect(() => stream.writeAllSync(new Uint8Array(1))).toThrow(kind("Unsupported"));
        // The stream still works afterwards.
        await send(new Uint8Array([2]));
        expect([...(await stream.readExact(1))]).toEqual([2]);
      },
      TIMEOUT,
    );
  });
}
