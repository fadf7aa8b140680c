/**
 * The threaded backend under misuse and stuck calls (issue 11 items 2, 7, 8, 10): buffers
 * detached mid-flight, signals and deadlines after submission, close() with a worker blocked for
 * good on a FIFO, and a bounce arena that costs nothing until it is used.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { IoError } from "@pktio/core";
import { equalBytes, seededBytes } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testHooks } from "../src/internal/testHooks.js";
import { allocShared, openThreaded } from "../src/index.js";

let dir: string;
let data: Uint8Array;
let dataPath: string;
let fifos = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pktio-threaded-own-"));
  data = seededBytes(1024 * 1024, 0x0e1d);
  dataPath = join(dir, "data.bin");
  writeFileSync(dataPath, data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mkfifo(): string {
  const path = join(dir, `f${fifos++}.fifo`);
  execFileSync("mkfifo", [path]);
  return path;
}

/** What an fd of this process refers to, or undefined when it is not open. */
function fdTarget(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

const outcome = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => "ok",
    (error: unknown) => (IoError.is(error) ? `${error.kind}: ${error.message}` : `thrown: ${String(error)}`),
  );

describe("detached buffers", () => {
  it("a bounced read whose buffer is detached mid-flight fails InvalidInput; the runtime continues and closes", async () => {
    const rt = openThreaded({ workers: 1 });
    const file = await rt.fs.open(dataPath);
    const dst = new Uint8Array(4096);
    const read = outcome(file.readAt(0, dst));
    structuredClone(dst.buffer, { transfer: [dst.buffer] });
    expect(await read).toBe("InvalidInput: read: the buffer was detached while the read was in flight");
    expect(rt.io.inFlight).toBe(0);
    const again = new Uint8Array(4096);
    expect(await file.readAt(4096, again)).toBe(4096);
    expect(equalBytes(again, data.subarray(4096, 8192))).toBe(true);
    await rt.close();
  });

  it("a write whose buffer is detached while it waits for a bounce slot fails InvalidInput and writes nothing", async () => {
    const path = join(dir, "detach-write.bin");
    writeFileSync(path, new Uint8Array(8192));
    // One slot: the second write waits on the main thread until the first is done.
    const rt = openThreaded({ workers: 1, bounceSlotSize: 4096, bounceArenaSize: 4096 });
    const file = await rt.fs.open(path, { write: true });
    const first = outcome(file.writeAt(0, new Uint8Array(4096).fill(0xaa)));
    const src = new Uint8Array(4096).fill(0xbb);
    const second = outcome(file.writeAt(4096, src));
    structuredClone(src.buffer, { transfer: [src.buffer] });
    expect(await first).toBe("ok");
    expect(await second).toBe("InvalidInput: write: the buffer was detached before the write was submitted");
    await rt.close();
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 4096).every((byte) => byte === 0xaa)).toBe(true);
    // Not the slot's leftover 0xaa bytes: nothing was written at 4096.
    expect(bytes.subarray(4096).every((byte) => byte === 0)).toBe(true);
  });
});

describe("signals and deadlines after submission", () => {
  it("reads queued behind a call stuck in a worker (a blocking open of a FIFO without a writer, made through the test hook: rt.fs.open no longer blocks there) fail Aborted or TimedOut on time; the stuck one settles at close", async () => {
    const path = mkfifo();
    const rt = openThreaded({ workers: 1, closeTimeoutMs: 50 });
    const hooks = rt.io[testHooks]();
    const file = await rt.fs.open(dataPath);
    const stuck = outcome(hooks.blockingOpen(path));
    await hooks.whenInCall(0);
    try {
      const controller = new AbortController();
      // Behind the stuck open in the only ring, and waiting on the main thread (a 1 MiB bounced read is 8 pieces).
      const aborted = [outcome(file.readAt(0, new Uint8Array(4096), { signal: controller.signal })), outcome(file.readAt(0, allocShared(4096), { signal: controller.signal }))];
      const timed = outcome(file.readAt(0, new Uint8Array(1024 * 1024), { timeoutMs: 20 }));
      controller.abort();
      expect(await Promise.all(aborted)).toEqual(["Aborted: read was aborted", "Aborted: read was aborted"]);
      expect(await timed).toBe("TimedOut: read did not complete within 20 ms");
      // Nothing was lost: the queued requests are settled, only the stuck one is outstanding.
      expect(rt.io.inFlight).toBe(1);
      await rt.close();
      expect(await stuck).toMatch(/^Closed: open: .*worker thread 0 was stuck in this call; the thread was terminated$/);
      expect(hooks.threadIds()).toEqual([-1]);
      expect(rt.io.inFlight).toBe(0);
    } finally {
      // A writer lets the abandoned thread finish its open and exit (O_RDWR never blocks on Linux).
      closeSync(openSync(path, constants.O_RDWR));
    }
  });

  it("a FIFO streams: positions are ignored where the fd cannot seek (no Unsupported at once)", async () => {
    const path = mkfifo();
    const holder = openSync(path, "r+");
    const rt = openThreaded({ workers: 1 });
    try {
      const fifo = await rt.fs.open(path, { read: true, write: true });
      const controller = new AbortController();
      expect(await fifo.writeAt(123, new Uint8Array([1, 2, 3]), { signal: controller.signal })).toBe(3);
      const dst = new Uint8Array(3);
      expect(await fifo.readAt(456, dst, { signal: controller.signal })).toBe(3);
      expect([...dst]).toEqual([1, 2, 3]);
      await fifo.close();
    } finally {
      await rt.close();
      closeSync(holder);
    }
  });
});

describe("close with a worker stuck for good", () => {
  it("an open blocked on a FIFO without a writer: close() terminates the worker, the open fails Closed", async () => {
    const path = mkfifo();
    const rt = openThreaded({ workers: 1, closeTimeoutMs: 50 });
    const hooks = rt.io[testHooks]();
    const opening = outcome(hooks.blockingOpen(path));
    await hooks.whenInCall(0);
    const queued = outcome(rt.fs.stat(dataPath));
    await rt.close();
    // Which of the two the worker is inside when close() gives up on it is not fixed: both settle Closed.
    expect(await queued).toMatch(/^Closed: stat: the threaded runtime was closed (before a worker started this request|while worker thread 0 was stuck in this call)/);
    expect(await opening).toMatch(/^Closed: open: /);
    expect(hooks.threadIds()).toEqual([-1]);
    expect(rt.io[testHooks]().state()).toMatchObject({ outstanding: 0, bounceBytes: 0 });
    // A writer ends the abandoned open, and the thread then exits (the fd that open returns is
    // lost: docs/threaded.md). O_RDWR: on Linux it never blocks and counts as a writer, and it
    // works whichever call the worker was in (O_WRONLY|O_NONBLOCK fails ENXIO with no reader).
    closeSync(openSync(path, constants.O_RDWR));
  });

  it("a FIFO read nobody answers holds no worker: the workers keep serving, close() settles it Closed, closes the fd and every thread exits", async () => {
    const path = mkfifo();
    // Held open for writing, silent: the read gets neither data nor an end.
    const holder = openSync(path, "r+");
    try {
      const rt = openThreaded({ workers: 2, closeTimeoutMs: 50 });
      const hooks = rt.io[testHooks]();
      const fifo = await rt.fs.open(path);
      const file = await rt.fs.open(dataPath);
      const stuck = Array.from({ length: 8 }, () => outcome(fifo.readAt(0, allocShared(16))));
      // Both workers still serve: not one of them is inside the FIFO's reads.
      const reads = await Promise.all(Array.from({ length: 16 }, (_, i) => file.readAt(i * 4096, new Uint8Array(4096))));
      expect(reads.every((count) => count === 4096)).toBe(true);
      const fd = (fifo as unknown as { fd: number }).fd;
      await rt.close();
      for (const read of stuck) expect(await read).toMatch(/^Closed: /);
      expect(fifo.closed && file.closed).toBe(true);
      expect(fdTarget(fd)).not.toBe(path);
      // Not terminated: they exited normally, with nothing left to wait for.
      expect(hooks.threadIds()).toEqual([-1, -1]);
    } finally {
      closeSync(holder);
    }
  });
});

describe("the bounce arena", () => {
  it("is not allocated until a bounced transfer, grows by chunks, and is dropped at close", async () => {
    const rt = openThreaded({ workers: 1, bounceSlotSize: 4096, bounceArenaSize: 64 * 4096 });
    const state = (): Record<string, unknown> => rt.io[testHooks]().state();
    const file = await rt.fs.open(dataPath);
    expect(await file.readAt(0, allocShared(4096))).toBe(4096);
    expect(state()).toMatchObject({ bounceBytes: 0, freeBounceSlots: 64 });
    expect(await file.readAt(0, new Uint8Array(4096))).toBe(4096);
    expect(state()).toMatchObject({ bounceBytes: 4096, freeBounceSlots: 64 });
    // 16 slots in flight at once: chunks of 1, 2, 4, 8 and 16 slots (31 slots) cover them.
    const dst = new Uint8Array(16 * 4096);
    expect(await file.readAt(0, dst)).toBe(dst.length);
    expect(equalBytes(dst, data.subarray(0, dst.length))).toBe(true);
    expect((state().bounceBytes as number) / 4096).toBeGreaterThanOrEqual(16);
    expect((state().bounceBytes as number) / 4096).toBeLessThan(32);
    await rt.close();
    expect(state()).toMatchObject({ bounceBytes: 0 });
  });

  // A soak, not a unit test: each cycle starts a worker thread, and on the shared 2-core host
  // (load average 16) 300 cycles took over 120 s. The counting test above is the CI guard.
  const soak = process.env.PKTIO_SOAK === "1";
  it.skipIf(!soak)(`300 runtimes opened, used through the bounce arena and closed keep the RSS bounded (child process, --expose-gc)${soak ? "" : " (skipped: set PKTIO_SOAK=1)"}`, () => {
    const child = fileURLToPath(new URL("./fixtures/openCloseCycles.ts", import.meta.url));
    const result = spawnSync(process.execPath, ["--expose-gc", "--conditions=pktio-source", "--import", "tsx", child, dataPath, "300"], {
      encoding: "utf8",
      timeout: 170_000,
      cwd: fileURLToPath(new URL("..", import.meta.url)),
    });
    expect(result.stderr).toBe("");
    const { before, after } = JSON.parse(result.stdout) as { before: number; after: number };
    // The old eager 8 MiB arena grew the RSS by 50–103 MiB over 300 such cycles here, 378 over
    // 500 (issue 11: 57 → 2062 MiB over 2000 without forced GCs); now a cycle's arena is one
    // 128 KiB chunk, dropped at close, and the RSS stays flat (95 → 91 MiB over 500, 98 → 90 over 2000).
    expect(after - before).toBeLessThan(40);
  }, 180_000);
});
