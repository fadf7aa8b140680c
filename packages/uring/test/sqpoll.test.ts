/**
 * SQPOLL rings (opt-in): the kernel's SQ thread sleeps soon after the last operation, so an idle
 * runtime costs no CPU; a kernel that refuses the flag gets a plain ring, and the runtime says why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededBytes } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openUring, probe } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;

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

  it("sqThreadCpu without sqpoll is refused, naming both", () => {
    expect(() => openUring({ sqThreadCpu: 0 })).toThrow(/sqThreadCpu.*sqpoll/);
  });
});
