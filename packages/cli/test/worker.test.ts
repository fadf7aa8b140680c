import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AsyncEngine, Engine } from "../src/bench/Engine.js";
import { LatencyHistogram } from "../src/bench/LatencyHistogram.js";
import { runJob } from "../src/bench/runJob.js";
import { JobResult, PROTOCOL } from "../src/index.js";
import { expectMeasured } from "./expectMeasured.js";
import { runChild, seededBytes, tempDir } from "./helpers.js";

const dir = tempDir();
afterAll(() => dir.remove());
const file = join(dir.path, "data.bin");
writeFileSync(file, seededBytes(2 * 1024 * 1024));

describe("the worker protocol", () => {
  it("prints exactly one JSON line with the job's result", async () => {
    const out = await runChild(["bench", "--worker", "--backend", "node-callbacks", "--file", file, "--iodepth", "8", "--runtime", "100ms"]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    const result = JobResult.parse(JSON.parse(lines[0]!));
    expect(result).toMatchObject({ protocol: PROTOCOL, job: "node-callbacks", iodepth: 8 });
    expectMeasured(result, { reads: 256, writes: 0 });
  });

  it("reports a backend that cannot work here as unavailable, exit 0", async () => {
    const out = await runChild(["bench", "--worker", "--backend", "uring", "--file", file, "--runtime", "100ms"], { ...process.env, PKTIO_URING: "0" });
    expect(out.code).toBe(0);
    expect(JobResult.parse(JSON.parse(out.stdout))).toMatchObject({ job: "uring", status: "unavailable", reason: expect.stringContaining("io_uring is disabled by PKTIO_URING=0") });
  });

  it("reports an I/O error with its kind, exit 1", async () => {
    const out = await runChild(["bench", "--worker", "--backend", "libuv", "--file", join(dir.path, "nope.bin"), "--runtime", "100ms"]);
    expect(out.code).toBe(1);
    expect(JobResult.parse(JSON.parse(out.stdout))).toMatchObject({ job: "libuv", status: "error", errorKind: "NotFound" });
  });
});

describe("checking before timing", () => {
  /** An engine over `bytes` that corrupts one byte of every read when `corrupt` is set. */
  function fakeEngine(bytes: Uint8Array, bs: number, corrupt: boolean): Engine {
    const buffers = Array.from({ length: 4 }, () => new Uint8Array(bs));
    const engine: AsyncEngine = {
      mode: "async",
      buffers,
      detail: "fake",
      onComplete: () => undefined,
      start(slot, pos) {
        const buffer = buffers[slot]!;
        buffer.set(bytes.subarray(pos, pos + bs));
        if (corrupt) buffer[bs - 1]! ^= 1;
        setImmediate(() => engine.onComplete(slot, bs, undefined));
      },
      close: async () => undefined,
    };
    return engine;
  }
  const settings = { rw: "randread", bs: 4096, size: undefined, iodepth: 4, runtimeMs: 50, sync: false, direct: false, file, seed: 1 } as const;
  const bytes = readFileSync(file);

  it("a correct engine is measured", async () => {
    const result = await runJob("libuv", settings, async () => fakeEngine(bytes, 4096, false));
    expectMeasured(result, { reads: 256, writes: 0 });
  });

  it("a wrong byte is an error, not a number", async () => {
    await expect(runJob("libuv", settings, async () => fakeEngine(bytes, 4096, true))).rejects.toThrow(/verification failed on libuv: a read returned wrong bytes at offset \d+ \(expected 0x[0-9a-f]{2}, got 0x[0-9a-f]{2}\)/);
  });
});

describe("LatencyHistogram", () => {
  it("gives percentiles within 2 %", () => {
    const histogram = new LatencyHistogram();
    for (let ns = 1; ns <= 100_000; ns++) histogram.record(ns * 10);
    expect(histogram.count).toBe(100_000);
    expect(histogram.percentile(0.5) / 500_000).toBeCloseTo(1, 1);
    expect(Math.abs(histogram.percentile(0.99) / 990_000 - 1)).toBeLessThan(0.02);
    expect(histogram.max).toBe(1_000_000);
    expect(histogram.mean).toBeCloseTo(500_005, 0);
  });
});
