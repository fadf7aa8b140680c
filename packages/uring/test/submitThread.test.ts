/**
 * The submit thread (option `submitThread`): a thread of the addon's own makes the submitting
 * io_uring_enter calls, so cached reads copy on another core. It must read the right bytes at
 * depth and alongside sync calls, sleep (spending nothing) once the ring is idle, be gone when the
 * runtime closes, and work in worker threads; the default follows the CPUs this process may use.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { seededBytes } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openUring, probe } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href;
const source = fileURLToPath(new URL("../src/index.ts", import.meta.url));

/** The scheduler states (R running, S sleeping …) of this process's threads named pktio-submit. */
function submitThreadStates(): string[] {
  const states: string[] = [];
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim() !== "pktio-submit") continue;
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      states.push(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return states;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe.skipIf(!status.ok)(`uring submit thread${why}`, () => {
  let dir: string;
  let data: Uint8Array;
  let path: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-submit-"));
    data = seededBytes(4 << 20, 0x5b17);
    path = join(dir, "data.bin");
    writeFileSync(path, data);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the right bytes at 64 in flight, sleeps once idle, and is joined by close()", async () => {
    const before = submitThreadStates().length;
    const runtime = openUring({ submitThread: true, maxInFlight: 64 });
    expect(runtime.io.submitThread).toBe(true);
    expect(submitThreadStates().length).toBe(before + 1);
    const file = await runtime.fs.open(path);
    const blocks = data.length / 4096;
    await Promise.all(
      Array.from({ length: 64 }, async (_, lane) => {
        const dst = new Uint8Array(4096);
        for (let i = 0; i < 40; i++) {
          const block = (lane * 7919 + i * 104_729) % blocks;
          expect(await file.readAt(block * 4096, dst)).toBe(4096);
          if (Buffer.compare(dst, data.subarray(block * 4096, block * 4096 + 4096)) !== 0) throw new Error(`lane ${lane}: wrong bytes at block ${block}`);
        }
      }),
    );
    // Idle: the thread polls submitSpinUs (10 µs by default) and then sleeps on its futex, for as long as
    // nothing is submitted. A thread that kept spinning would be seen running (R), not sleeping.
    while (!runtime.io.submitThreadAsleep) await turn();
    for (let i = 0; i < 200; i++) {
      expect(runtime.io.submitThreadAsleep).toBe(true);
      expect(submitThreadStates().filter((state) => state !== "S").length).toBe(0);
      await turn();
    }
    // Asleep, it wakes for the next batch (64: a batch of 40 or fewer small reads is entered on the JS thread).
    const again = Array.from({ length: 64 }, () => new Uint8Array(4096));
    await Promise.all(again.map((bytes, i) => file.readExactAt(i * 4096, bytes)));
    again.forEach((bytes, i) => expect(Buffer.compare(bytes, data.subarray(i * 4096, i * 4096 + 4096))).toBe(0));
    await runtime.close();
    expect(runtime.io.submitThreadAsleep).toBe(false);
    expect(submitThreadStates().length).toBe(before);
  });

  it("a shallow batch (40 or fewer records in use) is entered on the JS thread: with the thread held, 16 reads complete, 64 only once it is released", async () => {
    const runtime = openUring({ submitThread: true });
    try {
      const file = await runtime.fs.open(path);
      runtime.io.holdSubmitThread(true);
      const few = Array.from({ length: 16 }, () => new Uint8Array(4096));
      expect(await Promise.all(few.map((dst, i) => file.readAt(i * 4096, dst)))).toEqual(Array(16).fill(4096));
      few.forEach((dst, i) => expect(Buffer.compare(dst, data.subarray(i * 4096, i * 4096 + 4096))).toBe(0));
      let settled = 0;
      const many = Array.from({ length: 64 }, (_, i) =>
        file.readAt(i * 4096, new Uint8Array(4096)).then((n) => {
          settled++;
          return n;
        }),
      );
      for (let i = 0; i < 50; i++) await turn();
      expect(settled).toBe(0);
      runtime.io.holdSubmitThread(false);
      expect(await Promise.all(many)).toEqual(Array(64).fill(4096));
      await file.close();
    } finally {
      await runtime.close();
    }
  });

  it("a sync call through the ring while async reads are in flight (blockOn) submits and waits itself", async () => {
    const runtime = openUring({ submitThread: true, directSync: false });
    const file = await runtime.fs.open(path);
    const targets = Array.from({ length: 32 }, () => new Uint8Array(8192));
    const pending = Promise.all(targets.map((bytes, i) => file.readExactAt(i * 8192, bytes)));
    const dst = new Uint8Array(4096);
    expect(file.readAtSync(1 << 20, dst)).toBe(4096);
    expect(Buffer.compare(dst, data.subarray(1 << 20, (1 << 20) + 4096))).toBe(0);
    await pending;
    targets.forEach((bytes, i) => expect(Buffer.compare(bytes, data.subarray(i * 8192, i * 8192 + 8192))).toBe(0));
    await runtime.close();
  });

  it("close() with reads in flight settles every one of them and joins the thread", async () => {
    const before = submitThreadStates().length;
    const runtime = openUring({ submitThread: true, maxInFlight: 256 });
    const file = await runtime.fs.open(path);
    const reads = Array.from({ length: 1024 }, (_, i) => file.readAt((i % 1024) * 4096, new Uint8Array(4096)).then(
      (n) => ({ n }),
      (error: unknown) => ({ error }),
    ));
    await runtime.close();
    for (const outcome of await Promise.all(reads)) {
      if ("n" in outcome) expect(outcome.n).toBe(4096);
      else expect(outcome.error).toMatchObject({ kind: "Closed" });
    }
    expect(submitThreadStates().length).toBe(before);
  });

  it('"auto" starts it exactly when this process may run on two or more CPUs', async () => {
    const runtime = openUring();
    expect(runtime.io.submitThread).toBe(availableParallelism() >= 2);
    expect(runtime.io.submitThreadRefused).toBeUndefined();
    await runtime.close();
    const plain = openUring({ submitThread: false });
    expect(plain.io.submitThread).toBe(false);
    expect(plain.io.submitThreadAsleep).toBe(false);
    await plain.close();
  });

  it("contradictory options are refused, naming them", () => {
    expect(() => openUring({ submitThread: true, sqpoll: true })).toThrow(/submitThread and sqpoll/);
    expect(() => openUring({ submitThread: false, submitSpinUs: 10 })).toThrow(/submitSpinUs.*submitThread/);
    expect(() => openUring({ submitSpinUs: -1 })).toThrow(/submitSpinUs/);
    expect(() => openUring({ submitThread: false, completionSpinUs: 20 })).toThrow(/completionSpinUs.*submitThread/);
    expect(() => openUring({ completionSpinUs: 1001 })).toThrow(/completionSpinUs/);
    expect(() => openUring({ submitThread: "yes" as never })).toThrow(/submitThread/);
  });

  it("a worker thread runs a ring with a submit thread; one that exits without closing it leaves no thread behind", async () => {
    const before = submitThreadStates().length;
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      // --import hooks do not reach worker threads on Node 20: register tsx from inside.
      import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.source); }).then(async ({ openUring }) => {
        const rt = openUring({ submitThread: true, maxInFlight: 128 });
        const file = await rt.fs.open(workerData.data);
        // 64 at once: more than the 40 small reads the JS thread would enter itself.
        const all = Array.from({ length: 64 }, () => new Uint8Array(64));
        await Promise.all(all.map((bytes, i) => file.readExactAt(i * 4096, bytes)));
        parentPort.postMessage({ first: Array.from(all[31]), submitThread: rt.io.submitThread });
        // No rt.close(): the environment's teardown must stop and join the thread.
      });`;
    const worker = new Worker(code, { eval: true, execArgv: ["--conditions=pktio-source"], workerData: { tsxApi, source: pathToFileURL(source).href, data: path } });
    const report = await new Promise<{ first: number[]; submitThread: boolean }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(report.submitThread).toBe(true);
    expect(report.first).toEqual(Array.from(data.subarray(31 * 4096, 31 * 4096 + 64)));
    expect(submitThreadStates().length).toBe(before);
  });
});
