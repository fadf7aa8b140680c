/**
 * SQPOLL rings (opt-in): the kernel's SQ thread sleeps soon after the last operation, so an idle
 * runtime costs no CPU; a kernel that refuses the flag gets a plain ring, and the runtime says why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
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

/** CPU seconds (user + system) of the whole process, every thread included (its io_uring SQ thread too). */
function processCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
}

describe.skipIf(!status.ok)(`uring SQPOLL${why}`, () => {
  let dir: string;
  let data: Uint8Array;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-sqpoll-"));
    data = seededBytes(1 << 20, 0x5091);
    writeFileSync(join(dir, "data.bin"), data);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an idle SQPOLL runtime's SQ thread goes to sleep without spending CPU on the way", async () => {
    const runtime = openUring({ sqpoll: true, maxInFlight: 64 });
    if (!runtime.io.sqpoll) {
      await runtime.close();
      // Not a pass in disguise: say why this kernel has no SQ thread to test.
      expect(runtime.io.sqpollRefused).toMatch(/SQPOLL/);
      return;
    }
    const file = await runtime.fs.open(join(dir, "data.bin"));
    const dst = new Uint8Array(4096);
    for (let i = 0; i < 200; i++) await file.readExactAt((i * 4096) % data.length, dst);
    expect(Buffer.compare(dst, data.subarray((199 * 4096) % data.length, (199 * 4096) % data.length + 4096))).toBe(0);
    // The SQ thread polls for sq_thread_idle (2 ms) after the last submission, then sleeps. With
    // the kernel's default (1 s) it would spin a whole second of CPU here.
    const before = processCpuSeconds();
    for (let i = 0; i < 10_000 && !runtime.io.sqThreadAsleep; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    const spent = processCpuSeconds() - before;
    expect(runtime.io.sqThreadAsleep).toBe(true);
    expect(spent).toBeLessThan(0.3);
    // Asleep, it wakes for the next submission.
    expect(await file.readAt(4096, dst)).toBe(4096);
    expect(Buffer.compare(dst, data.subarray(4096, 8192))).toBe(0);
    await runtime.close();
  });

  it("a refused SQPOLL setup (EINVAL: the SQ thread pinned to a CPU that does not exist) falls back to a plain ring and says why", async () => {
    const runtime = openUring({ sqpoll: true, sqThreadCpu: 65_535 });
    expect(runtime.io.sqpoll).toBe(false);
    expect(runtime.io.sqpollRefused).toMatch(/IORING_SETUP_SQPOLL failed: .*EINVAL/);
    expect(runtime.io.sqThreadAsleep).toBe(false);
    const file = await runtime.fs.open(join(dir, "data.bin"));
    const dst = new Uint8Array(100);
    expect(await file.readAt(5000, dst)).toBe(100);
    expect(Buffer.compare(dst, data.subarray(5000, 5100))).toBe(0);
    await runtime.close();
  });

  it("a worker thread runs an SQPOLL ring: reads, sees its SQ thread sleep, closes", async () => {
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      // --import hooks do not reach worker threads on Node 20: register tsx from inside.
      import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.source); }).then(async ({ openUring }) => {
        const rt = openUring({ sqpoll: true, maxInFlight: 16 });
        const file = await rt.fs.open(workerData.data);
        const bytes = new Uint8Array(64);
        await Promise.all(Array.from({ length: 16 }, (_, i) => file.readExactAt(i * 64, new Uint8Array(64))));
        await file.readExactAt(4096, bytes);
        for (let i = 0; i < 10000 && rt.io.sqpoll && !rt.io.sqThreadAsleep; i++) await new Promise((resolve) => setTimeout(resolve, 1));
        parentPort.postMessage({ bytes: Array.from(bytes), sqpoll: rt.io.sqpoll, refused: rt.io.sqpollRefused, asleep: rt.io.sqThreadAsleep });
        await rt.close();
      });`;
    const worker = new Worker(code, { eval: true, execArgv: ["--conditions=pktio-source"], workerData: { tsxApi, source: pathToFileURL(source).href, data: join(dir, "data.bin") } });
    const report = await new Promise<{ bytes: number[]; sqpoll: boolean; refused: string | undefined; asleep: boolean }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await new Promise((resolve) => worker.once("exit", resolve));
    expect(report.bytes).toEqual(Array.from(data.subarray(4096, 4160)));
    if (report.sqpoll) expect(report.asleep).toBe(true);
    else expect(report.refused).toMatch(/SQPOLL/);
  });

  it("sqThreadCpu without sqpoll is refused, naming both", () => {
    expect(() => openUring({ sqThreadCpu: 0 })).toThrow(/sqThreadCpu.*sqpoll/);
  });
});
