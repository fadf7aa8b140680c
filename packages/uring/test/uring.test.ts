import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { IoError, Packet, Write, io } from "@pktio/core";
import { Rng, seededBytes } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openUring, probe, type UringRuntime } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const fds = (): number => readdirSync("/proc/self/fd").length;
const requireHere = createRequire(import.meta.url);
const tsx = pathToFileURL(requireHere.resolve("tsx")).href;
const tsxApi = pathToFileURL(requireHere.resolve("tsx/esm/api")).href;
const source = fileURLToPath(new URL("../src/index.ts", import.meta.url));

// Skipped only where io_uring cannot be set up (seccomp, old kernel, PKTIO_URING=0); the title says why.
describe.skipIf(!status.ok)(`uring backend${why}`, () => {
  let dir: string;
  let data: Uint8Array;
  let rt: UringRuntime;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-uring-"));
    data = seededBytes(64 * 1024 * 1024, 0xacce55);
    writeFileSync(join(dir, "data.bin"), data);
    execFileSync("mkfifo", [join(dir, "fifo")]);
    rt = openUring();
  });
  afterAll(async () => {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("100k random reads, 256 in flight, return the file's bytes", async () => {
    const file = await rt.fs.open(join(dir, "data.bin"));
    const rng = new Rng(7);
    let next = 0;
    let wrong = 0;
    const worker = async (): Promise<void> => {
      const dst = new Uint8Array(4096);
      while (next++ < 100_000) {
        const length = rng.int(1, 4097);
        const pos = rng.int(0, data.length - length);
        const view = dst.subarray(0, length);
        await file.readExactAt(pos, view);
        if (Buffer.compare(view, data.subarray(pos, pos + length)) !== 0) wrong++;
      }
    };
    await Promise.all(Array.from({ length: 256 }, worker));
    expect(wrong).toBe(0);
    await file.close();
  });

  it("closing with 1,000 reads in flight settles all of them and leaves no fd open", async () => {
    const before = fds();
    const runtime = openUring();
    const file = await runtime.fs.open(join(dir, "data.bin"));
    const reads = Array.from({ length: 1000 }, (_, i) => {
      const dst = new Uint8Array(65_536);
      return file.readAt(i * 65_536, dst).then(
        (count) => count === 65_536 && Buffer.compare(dst, data.subarray(i * 65_536, (i + 1) * 65_536)) === 0,
        (error: unknown) => IoError.is(error, "Closed"),
      );
    });
    await runtime.close();
    expect((await Promise.all(reads)).every(Boolean)).toBe(true);
    expect(fds()).toBe(before);
  });

  it("an abort cancels a read that cannot complete (a FIFO with no writer)", async () => {
    const fifo = await rt.fs.open(join(dir, "fifo"), { read: true, write: true });
    const controller = new AbortController();
    const pending = fifo.readAt(0, new Uint8Array(16), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow(expect.objectContaining({ kind: "Aborted" }));
    const reason = new IoError("Interrupted", "caller's own reason");
    const second = new AbortController();
    const again = fifo.readAt(0, new Uint8Array(16), { signal: second.signal });
    second.abort(reason);
    await expect(again).rejects.toBe(reason);
    await fifo.close();
  });

  it("a deadline turns a read that does not finish in time into TimedOut", async () => {
    const fifo = await rt.fs.open(join(dir, "fifo"), { read: true, write: true });
    await expect(fifo.readAt(0, new Uint8Array(16), { timeoutMs: 30 })).rejects.toThrow(expect.objectContaining({ kind: "TimedOut" }));
    await fifo.close();
  });

  it("abort races: each read returns its data or fails Aborted, never anything else", async () => {
    const file = await rt.fs.open(join(dir, "data.bin"));
    const outcomes = await Promise.all(
      Array.from({ length: 2000 }, async (_, i) => {
        const controller = new AbortController();
        const dst = new Uint8Array(4096);
        if (i % 4 === 0) controller.abort();
        const pending = file.readAt(i * 4096, dst, { signal: controller.signal });
        if (i % 4 === 1) controller.abort();
        if (i % 4 === 2) queueMicrotask(() => controller.abort());
        if (i % 4 === 3) setTimeout(() => controller.abort(), 0);
        try {
          const count = await pending;
          return count === 4096 && Buffer.compare(dst, data.subarray(i * 4096, (i + 1) * 4096)) === 0 ? "data" : "wrong";
        } catch (error) {
          return IoError.is(error, "Aborted") ? "aborted" : `other: ${String(error)}`;
        }
      }),
    );
    expect(outcomes.filter((outcome) => outcome !== "data" && outcome !== "aborted")).toEqual([]);
    // An abort before submission always wins.
    expect(outcomes.filter((outcome, i) => i % 4 === 0 && outcome !== "aborted")).toEqual([]);
    await file.close();
  });

  it("beyond maxInFlight, reads wait in order; aborting a waiting one never reaches the kernel", async () => {
    const runtime = openUring({ maxInFlight: 16 });
    const file = await runtime.fs.open(join(dir, "data.bin"));
    const controller = new AbortController();
    const reads = Array.from({ length: 5000 }, (_, i) => {
      const dst = new Uint8Array(512);
      const pending = file.readAt(i * 512, dst, i === 4000 ? { signal: controller.signal } : undefined);
      return pending.then(
        () => Buffer.compare(dst, data.subarray(i * 512, (i + 1) * 512)) === 0,
        (error: unknown) => i === 4000 && IoError.is(error, "Aborted"),
      );
    });
    controller.abort();
    expect((await Promise.all(reads)).every(Boolean)).toBe(true);
    expect(runtime.io.inFlight).toBe(0);
    await runtime.close();
  });

  it("sync reads block in io_uring_enter, with async work in flight on the same ring", async () => {
    const file = await rt.fs.open(join(dir, "data.bin"));
    const pending = Array.from({ length: 64 }, (_, i) => file.readExactAt(i * 8192, new Uint8Array(8192)));
    const direct = rt.io.directTransfers;
    const dst = new Uint8Array(1000);
    for (let i = 0; i < 1000; i++) {
      expect(file.readAtSync(i * 1000, dst)).toBe(1000);
      expect(dst[999]).toBe(data[i * 1000 + 999]);
      // A busy ring is driven, not bypassed: the first read went through it (and reaped the 64 on
      // the way); later ones may find the ring idle and take the direct path.
      if (i === 0) expect(rt.io.directTransfers).toBe(direct);
    }
    await Promise.all(pending);
    await file.close();
  });

  it("on an idle ring, sync helpers make one pread/pwrite on this thread; directSync: false sends them through the ring", async () => {
    const path = join(dir, "direct.bin");
    writeFileSync(path, data.subarray(0, 1 << 20));
    const file = await rt.fs.open(path, { read: true, write: true });
    const before = rt.io.directTransfers;
    const dst = new Uint8Array(5000);
    expect(file.readAtSync(1000, dst)).toBe(5000);
    expect(Buffer.compare(dst, data.subarray(1000, 6000))).toBe(0);
    expect(file.readAtSync((1 << 20) - 100, dst)).toBe(100);
    expect(file.readAtSync(1 << 21, dst)).toBe(0);
    file.writeAllAtSync((1 << 20) + 10, Uint8Array.of(1, 2, 3));
    expect(rt.io.directTransfers).toBe(before + 4);
    expect(Array.from(file.readToEndSync((1 << 20) + 8))).toEqual([0, 0, 1, 2, 3]);

    const ringOnly = openUring({ directSync: false });
    const viaRing = await ringOnly.fs.open(path);
    expect(viaRing.readAtSync(1000, dst)).toBe(5000);
    expect(Buffer.compare(dst, data.subarray(1000, 6000))).toBe(0);
    expect(() => viaRing.writeAtSync(0, dst)).toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    expect(ringOnly.io.directTransfers).toBe(0);
    await ringOnly.close();
    await file.close();
    expect(() => file.readAtSync(0, dst)).toThrow(expect.objectContaining({ kind: "Closed" }));
  });

  it("reads over the registered pool use READ_FIXED and return the same bytes", async () => {
    const runtime = openUring({ registeredBuffers: { count: 4, size: 65_536 } });
    const pool = runtime.io.pool!;
    const file = await runtime.fs.open(join(dir, "data.bin"), { direct: true });
    const slice = pool.acquire();
    expect(runtime.io.has(runtime.io.opcodes.READ_FIXED)).toBe(true);
    expect(pool.indexOf(slice)).toBeGreaterThanOrEqual(0);
    expect(await file.readAt(65_536 * 3, slice)).toBe(65_536);
    expect(Buffer.compare(slice, data.subarray(65_536 * 3, 65_536 * 4))).toBe(0);
    // O_DIRECT needs aligned memory, positions and lengths: anything else fails clearly, before the kernel sees it.
    await expect(file.readAt(0, new Uint8Array(new ArrayBuffer(8192), 1, 4096))).rejects.toThrow(/must be multiples of 512; take buffers from the registered pool/);
    const small = pool.acquire().subarray(0, 512);
    await expect(file.readAt(512, small)).resolves.toBe(512);
    expect(Buffer.compare(small, data.subarray(512, 1024))).toBe(0);
    await expect(file.readAt(100, small)).rejects.toThrow(/the position \(100\)/);
    // Sync reads of aligned pool memory take the direct path; unaligned ones get the same clear error.
    const direct = runtime.io.directTransfers;
    expect(file.readAtSync(1024, small)).toBe(512);
    expect(Buffer.compare(small, data.subarray(1024, 1536))).toBe(0);
    expect(runtime.io.directTransfers).toBe(direct + 1);
    expect(() => file.readAtSync(100, small)).toThrow(/the position \(100\)/);
    pool.release(slice);
    expect(() => pool.release(slice)).toThrow(/not a buffer taken from this pool/);
    await runtime.close();
  });

  it("O_DIRECT reads, 64 at once over the pool (submitted in groups, not per tick), return the file's bytes", async () => {
    const runtime = openUring({ registeredBuffers: { count: 64, size: 4096 } });
    const pool = runtime.io.pool!;
    const file = await runtime.fs.open(join(dir, "data.bin"), { direct: true });
    const slices = Array.from({ length: 64 }, () => pool.acquire());
    const rng = new Rng(0xd1ec7);
    for (let round = 0; round < 8; round++) {
      const positions = slices.map(() => rng.int(0, data.length / 4096 - 1) * 4096);
      const counts = await Promise.all(slices.map((slice, i) => file.readAt(positions[i] as number, slice)));
      expect(counts.every((count) => count === 4096)).toBe(true);
      slices.forEach((slice, i) => expect(Buffer.compare(slice, data.subarray(positions[i] as number, (positions[i] as number) + 4096))).toBe(0));
    }
    expect(runtime.io.inFlight).toBe(0);
    await runtime.close();
  });

  it("an SQPOLL ring (opt-in) reads the same bytes", async () => {
    const runtime = openUring({ sqpoll: true, maxInFlight: 64 });
    const file = await runtime.fs.open(join(dir, "data.bin"));
    const reads = await Promise.all(Array.from({ length: 256 }, async (_, i) => {
      const dst = new Uint8Array(4096);
      await file.readExactAt(i * 12_345, dst);
      return Buffer.compare(dst, data.subarray(i * 12_345, i * 12_345 + 4096)) === 0;
    }));
    expect(reads.every(Boolean)).toBe(true);
    expect(file.readAtSync(7, new Uint8Array(9))).toBe(9);
    await runtime.close();
  });

  it("a worker thread opens a ring, reads, and is terminated with a read in flight", async () => {
    const before = fds();
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      // --import hooks do not reach worker threads on Node 20: register tsx from inside.
      import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.source); }).then(async ({ openUring }) => {
        const rt = openUring();
        const file = await rt.fs.open(workerData.data);
        const first = new Uint8Array(16);
        await file.readExactAt(0, first);
        const fifo = await rt.fs.open(workerData.fifo, { read: true, write: true });
        fifo.readAt(0, new Uint8Array(16)).catch(() => {});
        parentPort.postMessage(Array.from(first));
      });`;
    const worker = new Worker(code, { eval: true, execArgv: ["--conditions=pktio-source"], workerData: { tsxApi, source: pathToFileURL(source).href, data: join(dir, "data.bin"), fifo: join(dir, "fifo") } });
    const first = await new Promise<number[]>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    expect(first).toEqual(Array.from(data.subarray(0, 16)));
    await worker.terminate();
    // The environment's cleanup hook cancelled the FIFO read, drained the ring and closed its fds.
    for (let i = 0; i < 100 && fds() > before + 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fds()).toBeLessThanOrEqual(before + 2); // the worker's own file fds are the only ones left
  });

  it("where io_uring_setup is denied, openRuntime falls back to libuv and says why", () => {
    const helper = fileURLToPath(new URL("../build/Release/deny_uring", import.meta.url));
    const rtSource = fileURLToPath(new URL("../../rt/src/index.ts", import.meta.url));
    const script = `import(${JSON.stringify(pathToFileURL(rtSource).href)}).then(async (m) => { const rt = await m.openRuntime(); const a = await m.availableBackends(); console.log(JSON.stringify({ backend: rt.backend, uring: a.find((x) => x.name === "uring") })); await rt.close(); });`;
    const run = spawnSync(helper, [process.execPath, "--import", tsx, "--conditions=pktio-source", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as { backend: string; uring: { ok: boolean; reason: string } };
    expect(report.backend).toBe("libuv");
    expect(report.uring.ok).toBe(false);
    expect(report.uring.reason).toMatch(/io_uring_setup failed: EPERM/);
  });

  it("bad options are named, in the runtime and per operation", async () => {
    expect(() => openUring({ maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => openUring({ sqPoll: true } as never)).toThrow(/unknown option "sqPoll"/);
    expect(() => openUring({ registeredBuffers: { count: 1, size: 5000 } })).toThrow(/multiple of 4096/);
    // 4 GiB or more in all was a RangeError from the typed array over the pool, past the check.
    for (const registeredBuffers of [{ count: 4, size: 2 ** 30 }, { count: 64, size: 2 ** 26 }, { count: 1024, size: 2 ** 30 }]) {
      expect(() => openUring({ registeredBuffers }), JSON.stringify(registeredBuffers)).toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/registeredBuffers.*count × size must be at most/) }));
    }
    const file = await rt.fs.open(join(dir, "data.bin"));
    expect(() => io(file, 0, Packet.alloc(4, Write), undefined, { timeoutMs: -1 })).toThrow(/timeoutMs must be a positive number/);
    await expect(file.readAt(0, new Uint8Array(1), { deadline: 5 } as never)).rejects.toThrow(/unknown option "deadline"/);
    await file.close();
  });
});
