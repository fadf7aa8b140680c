/**
 * The ownership contract under misuse (issue 11): a caller that detaches a buffer while its read
 * is in flight, a signal fired after submission, a runtime closed while an operation can never
 * complete (a FIFO without data, an open of a FIFO without a writer). Every packet settles once,
 * the runtime keeps working, and close() resolves. A backend that cannot yet meet one says why
 * through `BackendCaps.hostile`.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IoError, readAt, writeAt, type RandomAccess, type Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { has, titled, type Capability } from "./capabilities.js";
import { equalBytes } from "./packetScenarios.js";
import { seededBytes } from "./rng.js";

/** Scenarios of this file a backend cannot pass yet, each with its reason; absent means it can. */
export interface HostileCaps {
  readonly detachMidRead?: Capability;
  readonly abortAfterSubmit?: Capability;
  /**
   * Whether some of 2048 reads are still queued when a signal fires in the tick that sent them
   * (so at least one must fail Aborted). A backend that hands all of them to the OS within that
   * tick, where cached reads complete at once, says so: its completions legally win every race.
   */
  readonly queuedWhenAborted?: Capability;
  readonly closeWithStuckRead?: Capability;
  readonly closeWithStuckOpen?: Capability;
}

export interface HostileSubject {
  /** A fresh target over `initial`. */
  readonly open: (initial: Uint8Array) => Promise<RandomAccess>;
  /** A new runtime, for the FIFO scenarios; undefined without a file system. */
  readonly openRuntime: (() => Promise<Runtime>) | undefined;
  readonly caps: HostileCaps;
}

/** How a settled promise ended, for assertions that accept either outcome. */
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
const settle = <T>(promise: Promise<T>): Promise<Outcome> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
const kindOf = (outcome: Outcome): string => (outcome.ok ? "ok" : IoError.is(outcome.error) ? outcome.error.kind : `not an IoError: ${String(outcome.error)}`);

/**
 * A few event-loop turns, so that a backend has handed an operation to the OS or its threads.
 * Only coverage depends on it: the assertions hold whether or not the operation was taken.
 */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A safety bound only: a backend may wait a grace period (threaded: closeTimeoutMs) before it gives up on a stuck call. */
const STUCK_TIMEOUT_MS = 30_000;

const can = (capability: Capability | undefined): Capability => capability ?? true;

export function describeHostile(subject: HostileSubject): void {
  describe("hostile callers and stuck operations", () => {
    const size = 1024 * 1024;
    const reference = seededBytes(size, 0x4057);
    const caps = subject.caps;

    it.skipIf(!has(can(caps.detachMidRead)))(titled("a buffer detached while its read is in flight: the read settles (InvalidInput or done), the target keeps working", can(caps.detachMidRead)), async () => {
      const target = await subject.open(reference);
      const reads = Array.from({ length: 16 }, (_, i) => {
        const dst = new Uint8Array(4096);
        const read = settle(readAt(target, i * 4096, dst));
        structuredClone(dst.buffer, { transfer: [dst.buffer] });
        return read;
      });
      for (const outcome of await Promise.all(reads)) {
        if (outcome.ok) continue; // the backend let go of the memory in time (or never used it)
        expect(kindOf(outcome)).toBe("InvalidInput");
        expect((outcome.error as Error).message).toMatch(/detached/);
      }
      const dst = new Uint8Array(8192);
      expect(await readAt(target, 4096, dst)).toBe(8192);
      expect(equalBytes(dst, reference.subarray(4096, 4096 + 8192))).toBe(true);
      // Detached before submission: refused with InvalidInput, never EFAULT or a crash.
      const gone = new Uint8Array(16);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      await expect(readAt(target, 0, gone)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    });

    it.skipIf(!has(can(caps.detachMidRead)))(titled("a buffer detached while its write is in flight: the write settles (done, a prefix, or InvalidInput) without an uncaught error, the target keeps working", can(caps.detachMidRead)), async () => {
      const target = await subject.open(reference);
      // 1 MiB: larger than any backend's bounce piece, so later pieces start after the detach.
      const writes = Array.from({ length: 4 }, (_, i) => {
        const src = seededBytes(size, 0x77 + i);
        const write = settle(writeAt(target, 0, src));
        structuredClone(src.buffer, { transfer: [src.buffer as ArrayBuffer] });
        return write;
      });
      for (const outcome of await Promise.all(writes)) {
        if (outcome.ok) {
          expect(typeof outcome.value === "number" || outcome.value === undefined).toBe(true);
          continue;
        }
        expect(kindOf(outcome)).toBe("InvalidInput");
        expect((outcome.error as Error).message).toMatch(/detached/);
      }
      const src = seededBytes(8192, 0x99);
      await writeAt(target, 4096, src);
      const dst = new Uint8Array(8192);
      expect(await readAt(target, 4096, dst)).toBe(8192);
      expect(equalBytes(dst, src)).toBe(true);
    });

    it.skipIf(!has(can(caps.abortAfterSubmit)))(titled("a signal fired right after submission: what has not started fails Aborted, the rest has its bytes", can(caps.abortAfterSubmit)), async () => {
      const target = await subject.open(reference);
      const controller = new AbortController();
      const count = 2048;
      const buffers = Array.from({ length: count }, () => new Uint8Array(512));
      const reads = buffers.map((dst, i) => settle(readAt(target, (i * 512) % size, dst, { signal: controller.signal })));
      controller.abort();
      const outcomes = await Promise.all(reads);
      const kinds = new Set(outcomes.map(kindOf));
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) expect(equalBytes(buffers[i] as Uint8Array, reference.subarray((i * 512) % size, ((i * 512) % size) + 512))).toBe(true);
      });
      expect([...kinds].filter((kind) => kind !== "ok" && kind !== "Aborted")).toEqual([]);
      // 2048 reads are not all performed within the tick that sent them, unless the backend says so.
      if (has(can(caps.queuedWhenAborted))) expect(kinds.has("Aborted")).toBe(true);
      // The target is still good afterwards.
      const dst = new Uint8Array(512);
      expect(await readAt(target, 512, dst)).toBe(512);
      expect(equalBytes(dst, reference.subarray(512, 1024))).toBe(true);
    });

    const openRuntime = subject.openRuntime;
    if (openRuntime === undefined) {
      it.skip("close with an operation stuck on a FIFO (skipped: no file system)", () => undefined);
      return;
    }

    describe("close with an operation that never completes", () => {
      let dir: string;
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), "pktio-hostile-"));
      });
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      const fifo = (name: string): string => {
        const path = join(dir, name);
        execFileSync("mkfifo", [path]);
        return path;
      };

      it.skipIf(!has(can(caps.closeWithStuckRead)))(titled("close() resolves while a read waits on a FIFO no one writes; the read settles", can(caps.closeWithStuckRead)), async () => {
        const path = fifo("read.fifo");
        // Held open for reading and writing, so the runtime's open does not block, and no data comes.
        const holder = openSync(path, "r+");
        try {
          const rt = await openRuntime();
          const file = await rt.fs.open(path);
          const read = settle(file.readAt(0, new Uint8Array(16)));
          await turns(10);
          await rt.close();
          const outcome = await read;
          expect(outcome.ok).toBe(false);
          expect(IoError.is(outcome.ok ? undefined : outcome.error)).toBe(true);
        } finally {
          // Lets a thread still blocked in that read finish.
          writeSync(holder, new Uint8Array(64));
          closeSync(holder);
        }
      }, STUCK_TIMEOUT_MS);

      it.skipIf(!has(can(caps.closeWithStuckOpen)))(titled("close() resolves while an open of a FIFO waits for a writer; the open settles", can(caps.closeWithStuckOpen)), async () => {
        const path = fifo("open.fifo");
        const rt = await openRuntime();
        const opening = settle(rt.fs.open(path));
        let writer: number;
        try {
          await turns(10);
          await rt.close();
          const outcome = await opening;
          // A backend may open it at once (io_uring's non-blocking first attempt does); then
          // close() closed it. Otherwise the open failed.
          if (outcome.ok) expect((outcome.value as { closed: boolean }).closed).toBe(true);
          else expect(IoError.is(outcome.error)).toBe(true);
        } finally {
          // A writer lets a thread still blocked in that open finish: O_RDWR never blocks on Linux
          // and counts as a writer (O_WRONLY|O_NONBLOCK would fail ENXIO before the reader got
          // there). The FIFO is unlinked while that writer is held, so an open a pool thread has
          // not started yet fails ENOENT instead of holding the thread for good.
          writer = openSync(path, constants.O_RDWR);
          rmSync(path, { force: true });
          closeSync(writer);
        }
      }, STUCK_TIMEOUT_MS);
    });

    describe("a FIFO read to its end", () => {
      let dir: string;
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), "pktio-fifo-end-"));
      });
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      const bursts = [0, 1, 2].map((i) => new TextEncoder().encode(`burst-00${i}\n`));
      const whole = new TextDecoder().decode(Buffer.concat(bursts));
      /**
       * Sends the first burst, then, each time everything sent so far has been read (`got`), the
       * next one, and closes the writer after the last: every read but the last is short.
       */
      const feeder = (writer: number): ((got: string) => void) => {
        writeSync(writer, bursts[0] as Uint8Array);
        let sent = 1;
        return (got) => {
          if (got.length !== sent * 10) return;
          if (sent < bursts.length) writeSync(writer, bursts[sent++] as Uint8Array);
          else closeSync(writer);
        };
      };
      /** A FIFO opened on a new runtime, its writer held by the test, and the file's reader. */
      const fifoPair = async (name: string) => {
        const path = join(dir, name);
        execFileSync("mkfifo", [path]);
        const rt = await openRuntime();
        const file = await rt.fs.open(path);
        expect(file.streamLike).toBe(true);
        const writer = openSync(path, constants.O_WRONLY);
        return { rt, file, writer };
      };

      it("chunks and createReadable take a short read as what had arrived and end only at 0", async () => {
        for (const form of ["chunks", "createReadable"] as const) {
          const { rt, file, writer } = await fifoPair(`${form}.fifo`);
          try {
            const feed = feeder(writer);
            let got = "";
            const source = form === "chunks" ? file.chunks() : file.createReadable();
            for await (const chunk of source as AsyncIterable<Uint8Array>) feed((got += new TextDecoder().decode(chunk)));
            expect(got, form).toBe(whole);
          } finally {
            await rt.close();
          }
        }
      }, STUCK_TIMEOUT_MS);

      it("a sync read of a FIFO with bytes waiting returns them, or is refused Unsupported with the reason", async () => {
        const { rt, file, writer } = await fifoPair("sync.fifo");
        try {
          writeSync(writer, bursts[0] as Uint8Array);
          const dst = new Uint8Array(64);
          let outcome: string;
          try {
            outcome = new TextDecoder().decode(dst.subarray(0, file.readAtSync(0, dst)));
          } catch (error) {
            expect(IoError.is(error, "Unsupported"), String(error)).toBe(true);
            expect((error as Error).message).toMatch(/FIFO/);
            outcome = "Unsupported";
          }
          expect(["burst-000\n", "Unsupported"]).toContain(outcome);
        } finally {
          closeSync(writer);
          await rt.close();
        }
      }, STUCK_TIMEOUT_MS);

      it("readToEnd and a web stream keep reading after a short read, to the writer's end", async () => {
        {
          const { rt, file, writer } = await fifoPair("readToEnd.fifo");
          try {
            writeSync(writer, bursts[0] as Uint8Array);
            const reading = file.readToEnd();
            await turns(10);
            writeSync(writer, bursts[1] as Uint8Array);
            writeSync(writer, bursts[2] as Uint8Array);
            closeSync(writer);
            expect(new TextDecoder().decode(await reading)).toBe(whole);
          } finally {
            await rt.close();
          }
        }
        {
          const { rt, file, writer } = await fifoPair("web.fifo");
          try {
            const feed = feeder(writer);
            const reader = file.createReadableStream().getReader();
            let got = "";
            for (let step = await reader.read(); !step.done; step = await reader.read()) feed((got += new TextDecoder().decode(step.value)));
            expect(got).toBe(whole);
          } finally {
            await rt.close();
          }
        }
      }, STUCK_TIMEOUT_MS);
    });
  });
}
