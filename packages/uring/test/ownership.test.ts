/**
 * The ownership contract of the uring backend under misuse and races (issue 11): buffers detached
 * mid-flight, a truncate racing a close, closes with operations the kernel holds, aborts of many
 * queued operations, fds of opens that complete while the runtime closes. Every wait here waits for
 * an event; the few safety timeouts fail the test instead of hanging it.
 */
import { execFileSync } from "node:child_process";
import { getEventListeners } from "node:events";
import { closeSync, constants, mkdtempSync, open as openNode, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { IoError, Packet, Write, io, whenReleased } from "@pktio/core";
import { seededBytes } from "@pktio/conformance";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openUring, probe, type UringFile, type UringRuntime } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const fds = (): number => readdirSync("/proc/self/fd").length;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Moves the buffer's memory to a clone that is dropped at once: the caller's view is detached. */
function detach(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] });
}

/** Rejects with a clear message if `promise` does not settle before the safety bound (a hang, not a slow machine). */
function settlesSoon<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle (hang)`)), ms)));
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** "done" or the error's kind, with the handler attached at once (a close may settle it before anyone awaits it). */
const outcomeOf = (promise: Promise<unknown>): Promise<string> => promise.then(() => "done", (error: { kind?: string }) => String(error.kind));

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe.skipIf(!status.ok)(`uring ownership${why}`, () => {
  let dir: string;
  let data: Uint8Array;
  let rt: UringRuntime;
  let fifoCount = 0;
  /** A fresh FIFO, opened read+write on the ring: a read on it blocks until `feed` writes. */
  const fifo = async (runtime: UringRuntime = rt) => {
    const path = join(dir, `fifo-${fifoCount++}`);
    execFileSync("mkfifo", [path]);
    const file = await runtime.fs.open(path, { read: true, write: true });
    const feed = (bytes: Uint8Array): void => {
      const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(writer, bytes);
      closeSync(writer);
    };
    return { path, file, feed };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-uring-own-"));
    data = seededBytes(8 * 1024 * 1024, 0x0b0e);
    writeFileSync(join(dir, "data.bin"), data);
    rt = openUring();
  });
  afterAll(async () => {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a read whose buffer is transferred away and collected mid-flight fails InvalidInput; the kernel's bytes land in no other buffer", async () => {
    const { file, feed } = await fifo();
    for (let round = 0; round < 4; round++) {
      const dst = new Uint8Array(4096);
      const pending = file.readAt(0, dst);
      await nextTurn(); // submitted: the read waits in the kernel for the FIFO's writer
      detach(dst);
      gc();
      gc();
      // Fresh allocations of the same size are where freed memory is reused first.
      const others = Array.from({ length: 256 }, () => new Uint8Array(4096).fill(0xaa));
      feed(new Uint8Array(4096).fill(0x55));
      await expect(pending).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/buffer was detached while the read was in flight/) }));
      expect(others.every((bytes) => bytes.every((byte) => byte === 0xaa))).toBe(true);
      // The bytes the kernel took are the FIFO's next ones: the next read gets them.
      const next = new Uint8Array(4096);
      expect(await file.readAt(0, next)).toBe(4096);
      expect(next.every((byte) => byte === 0x55)).toBe(true);
    }
    await file.close();
  });

  it("a buffer detached before its packet is submitted fails InvalidInput, never EFAULT; a write detached after submission writes what it was given", async () => {
    const file = await rt.fs.open(join(dir, "data.bin"));
    const dst = new Uint8Array(4096);
    const packet = Packet.wrap(dst, Write);
    const settled = new Promise<unknown>((resolve) => {
      const view = packet.bind({ onDone: (result) => resolve(result.error) });
      detach(dst);
      file.sendIo(0, view);
    });
    expect(await settled).toEqual(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/detached before it was submitted/) }));
    await expect(file.readAt(0, dst)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    // Detached right after readAt (the record is batched, not yet in the kernel): the read completes into the bounce buffer.
    const late = new Uint8Array(4096);
    const reading = file.readAt(4096, late);
    detach(late);
    await expect(reading).rejects.toThrow(/detached while the read was in flight/);
    await file.close();

    const path = join(dir, "written.bin");
    const out = await rt.fs.open(path, { write: true, create: true, truncate: true });
    const src = data.slice(0, 10_000);
    const writing = out.writeAt(0, src);
    detach(src);
    await expect(writing).resolves.toBe(10_000);
    await out.close();
    expect(Buffer.compare(readFileSync(path), data.subarray(0, 10_000))).toBe(0);
  });

  it("plain buffers bounce (4 KiB slots, larger buffers in 1 MiB pieces); SharedArrayBuffer views and the registered pool stay zero-copy", async () => {
    const runtime = openUring({ registeredBuffers: { count: 2, size: 65_536 } });
    const file = await runtime.fs.open(join(dir, "data.bin"));
    const shared = new Uint8Array(new SharedArrayBuffer(8192));
    expect(await file.readAt(100, shared)).toBe(8192);
    expect(Buffer.compare(shared, data.subarray(100, 8292))).toBe(0);
    const slice = runtime.io.pool!.acquire();
    expect(await file.readAt(0, slice)).toBe(65_536);
    expect(runtime.io.bounce.slotBytes).toBe(0);
    const small = new Uint8Array(4096);
    expect(await file.readAt(7, small)).toBe(4096);
    expect(Buffer.compare(small, data.subarray(7, 4103))).toBe(0);
    expect(runtime.io.bounce.slotBytes).toBeGreaterThan(0);
    // 3.5 MiB into a plain buffer: four pieces one after another, the same bytes.
    const big = new Uint8Array(3.5 * 1024 * 1024);
    expect(await file.readAt(12_345, big)).toBe(big.length);
    expect(Buffer.compare(big, data.subarray(12_345, 12_345 + big.length))).toBe(0);
    // Past the end: short, not an error, and the pieces after the end do not run.
    expect(await file.readAt(data.length - 1_500_000, big)).toBe(1_500_000);
    expect(Buffer.compare(big.subarray(0, 1_500_000), data.subarray(data.length - 1_500_000))).toBe(0);
    // 64 MiB of 1 MiB reads at once: past the 32 MiB of bounce memory out at once, later ones wait their turn.
    const many = await Promise.all(Array.from({ length: 64 }, async (_, i) => {
      const chunk = new Uint8Array(1 << 20);
      const at = (i * 97_531) % (data.length - chunk.length);
      return (await file.readAt(at, chunk)) === chunk.length && Buffer.compare(chunk, data.subarray(at, at + chunk.length)) === 0;
    }));
    expect(many.every(Boolean)).toBe(true);
    const path = join(dir, "big.bin");
    const out = await runtime.fs.open(path, { write: true, create: true, truncate: true });
    await out.writeAllAt(3, data.subarray(0, 2_500_000));
    await out.close();
    expect(Buffer.compare(readFileSync(path).subarray(3), data.subarray(0, 2_500_000))).toBe(0);
    await runtime.close();
  });

  it("truncate holds the fd: a close racing it releases the fd only after it, so the next file opened keeps its bytes", async () => {
    // Hold every libuv pool thread in an open of a FIFO without a writer, so the truncate waits in the pool's queue.
    const gate = join(dir, "gate");
    execFileSync("mkfifo", [gate]);
    const poolSize = Number(process.env["UV_THREADPOOL_SIZE"] ?? 4);
    const held = Array.from({ length: poolSize }, () => new Promise<number>((resolve, reject) => openNode(gate, "r", (error, fd) => (error === null ? resolve(fd) : reject(error)))));
    const aPath = join(dir, "a.bin");
    const bPath = join(dir, "b.bin");
    writeFileSync(aPath, data.subarray(0, 1 << 20));
    writeFileSync(bPath, data.subarray(0, 1 << 20));
    const a = await rt.fs.open(aPath, { read: true, write: true });
    const truncating = a.truncate(0);
    const closing = a.close();
    // A file opened now gets the lowest free fd: A's, had the close released it before the truncate ran.
    const b = await rt.fs.open(bPath, { read: true, write: true });
    // O_RDWR, not O_WRONLY|O_NONBLOCK: the latter fails ENXIO while no pool thread has reached
    // its open yet (a loaded host), which left the pool held for good and starved later tests.
    // On Linux an O_RDWR open of a FIFO never blocks and counts as a writer for the held opens.
    const release = openSync(gate, constants.O_RDWR);
    for (const fd of await Promise.all(held)) closeSync(fd);
    closeSync(release);
    await truncating;
    await closing;
    expect((await b.stat()).size).toBe(1 << 20);
    await b.close();
    expect(readFileSync(aPath).length).toBe(0);
    expect(Buffer.compare(readFileSync(bPath), data.subarray(0, 1 << 20))).toBe(0);
  });

  it("rt.close() resolves while a read never completes (a FIFO without data): it cancels first and settles the read Closed", async () => {
    const before = fds();
    const runtime = openUring();
    const { file } = await fifo(runtime);
    const reads = Array.from({ length: 3 }, () => file.readAt(0, new Uint8Array(64)));
    // The third waits in the FIFO's own queue (maxInFlightPerStream 2) and is dropped Closed inside
    // close(), before the expectations below attach: handled now, checked below.
    for (const read of reads) read.catch(() => undefined);
    await nextTurn();
    await settlesSoon(runtime.close(), "rt.close()");
    for (const read of reads) await expect(read).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
    expect(runtime.io.inFlight).toBe(0);
    expect(fds()).toBe(before);
  });

  it("file.close() with a read that never completes cancels it: the read settles Closed and the fd is released", async () => {
    const { file } = await fifo();
    const read = file.readAt(0, new Uint8Array(64));
    await nextTurn();
    await settlesSoon(file.close(), "file.close()");
    await expect(read).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
    expect(rt.io.inFlight).toBe(0);
  });

  it("an abandoned operation (the kernel kept it past the close's grace) settles its caller at once; its late bytes land in bounce memory and its fd closes after it", async () => {
    const { file, feed } = await fifo();
    const dst = new Uint8Array(64).fill(7);
    const read = file.readAt(0, dst);
    await nextTurn();
    // What a close does once the grace period is over, without the cancel: the kernel still holds the read.
    expect(rt.io.abandon((file as UringFile).fd)).toBe(1);
    await expect(read).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
    const closing = file.close();
    expect(rt.io.inFlight).toBe(1); // the slot keeps the read's memory
    feed(new Uint8Array(64).fill(9));
    await settlesSoon(closing, "file.close()");
    // The late completion went to the bounce buffer, not to the caller's (which is the caller's again).
    expect(dst.every((byte) => byte === 7)).toBe(true);
    for (let i = 0; i < 1000 && rt.io.inFlight > 0; i++) await nextTurn();
    expect(rt.io.inFlight).toBe(0);
  });

  it("transfers waiting for bounce memory: an abort settles one at once, a close past its grace settles the rest Closed, and none is lost", async () => {
    const runtime = openUring({ closeGraceMs: 0 });
    // A read of 1 MiB on each of 32 FIFOs nobody writes (one FIFO's reads go to the kernel one at
    // a time): together they hold the whole bounce limit (32 MiB) for ever.
    const stuck = await Promise.all(Array.from({ length: 32 }, () => fifo(runtime)));
    const held = stuck.map(({ file: pipe }) => outcomeOf(pipe.readAt(0, new Uint8Array(1024 * 1024))));
    const file = await runtime.fs.open(join(dir, "bounce-wait.bin"), { read: true, write: true, create: true });
    const controller = new AbortController();
    const aborted = outcomeOf(file.readAt(0, new Uint8Array(65_536), { signal: controller.signal }));
    const writes = Array.from({ length: 4 }, (_, i) => outcomeOf(file.writeAllAt(i * 65_536, new Uint8Array(65_536).fill(i))));
    await nextTurn();
    controller.abort();
    expect(await settlesSoon(aborted, "the aborted read")).toBe("Aborted");
    // closeGraceMs 0: the grace is over at once; the writes never got memory, so they never started.
    await settlesSoon(file.close(), "file.close()");
    for (const write of writes) expect(await write).toBe("Closed");
    expect(readFileSync(join(dir, "bounce-wait.bin")).byteLength).toBe(0);
    await settlesSoon(runtime.close(), "rt.close()");
    for (const read of held) expect(await read).toBe("Closed");
    expect(runtime.io.inFlight).toBe(0);
  });

  it("a deadline and an abort cancel the kernel's operation; an abort of a read still in this tick's batch drops it without reaching the kernel", async () => {
    const { file } = await fifo();
    // Core answers the caller at the deadline or abort (design.md §7); the kernel's cancel
    // completes after it, and only then is the buffer released and the slot free.
    const timed = new Uint8Array(16);
    await expect(file.readAt(0, timed, { timeoutMs: 20 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
    await whenReleased(timed);
    const controller = new AbortController();
    const abortedBytes = new Uint8Array(16);
    const aborted = file.readAt(0, abortedBytes, { signal: controller.signal, timeoutMs: 60_000 });
    await nextTurn();
    controller.abort();
    await expect(aborted).rejects.toThrow(expect.objectContaining({ kind: "Aborted" }));
    await whenReleased(abortedBytes);
    expect(rt.io.inFlight).toBe(0);
    const batched = new AbortController();
    const dropped = file.readAt(0, new Uint8Array(16), { signal: batched.signal });
    expect(rt.io.inFlight).toBe(1);
    batched.abort();
    expect(rt.io.inFlight).toBe(0); // settled at once: no ASYNC_CANCEL, no completion to wait for
    await expect(dropped).rejects.toThrow(expect.objectContaining({ kind: "Aborted" }));
    await file.close();
  });

  it("one abort shared by 20k queued reads is linear, with one listener on the signal and no MaxListenersExceededWarning", async () => {
    const runtime = openUring({ maxInFlight: 16 });
    // A FIFO without data: one read waits in the kernel, the rest in the file's order (a FIFO's
    // reads go one at a time), none completes by itself.
    const { file } = await fifo(runtime);
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on("warning", onWarning);
    const controller = new AbortController();
    const count = 20_000;
    const reads = Array.from({ length: count }, (_, i) =>
      file.readAt(0, new Uint8Array(64), { signal: controller.signal }).then(
        () => "data",
        (error: unknown) => (IoError.is(error, "Aborted") ? "aborted" : String(error)),
      ),
    );
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    const scans = runtime.io.waitingScans;
    controller.abort();
    // Every queued read was found through its own ticket: one visit each, no rebuild of the queue.
    expect(runtime.io.waitingScans - scans).toBeLessThanOrEqual(count);
    const outcomes = await Promise.all(reads);
    expect(outcomes.filter((outcome) => outcome !== "aborted")).toEqual([]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    await nextTurn();
    process.off("warning", onWarning);
    expect(warnings).not.toContain("MaxListenersExceededWarning");
    await runtime.close();
  }, 60_000); // a safety bound: 20k packets take seconds under AddressSanitizer

  it("200 runtimes closed while an open() completes leak no fd", async () => {
    const before = fds();
    const path = join(dir, "data.bin");
    for (let cycle = 0; cycle < 200; cycle++) {
      const runtime = openUring({ maxInFlight: 8 });
      const opening = runtime.fs.open(path).then(
        (file) => file.close(),
        (error: unknown) => {
          if (!IoError.is(error, "Closed")) throw error;
        },
      );
      // Close at different points of the open: before its submission, in the kernel, completed.
      for (let turn = 0; turn < cycle % 4; turn++) await Promise.resolve();
      if (cycle % 8 >= 4) await nextTurn();
      await runtime.close();
      await opening;
    }
    expect(fds()).toBe(before);
  });

  it("a worker that exits without rt.close() leaves no uring-opened fd behind", async () => {
    const before = fds();
    const requireHere = createRequire(import.meta.url);
    const tsxApi = pathToFileURL(requireHere.resolve("tsx/esm/api")).href;
    const source = pathToFileURL(fileURLToPath(new URL("../src/index.ts", import.meta.url))).href;
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.source); }).then(async ({ openUring }) => {
        const rt = openUring();
        const files = [];
        for (let i = 0; i < 5; i++) files.push(await rt.fs.open(workerData.data));
        await files[0].readExactAt(0, new Uint8Array(16));
        parentPort.postMessage(files.length);
      });`;
    const worker = new Worker(code, { eval: true, execArgv: ["--conditions=pktio-source"], workerData: { tsxApi, source, data: join(dir, "data.bin") } });
    const opened = await new Promise<number>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    expect(opened).toBe(5);
    await new Promise((resolve) => worker.once("exit", resolve)); // idle ring: the worker ends by itself
    expect(fds()).toBe(before);
  }, 60_000); // a safety bound: a worker loading tsx takes seconds under AddressSanitizer on a busy machine
});
