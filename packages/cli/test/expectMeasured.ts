/** What a job's result must satisfy when it ran: numbers present and consistent (no timing claims). */
import { expect } from "vitest";
import type { JobResult } from "../src/index.js";

export function expectMeasured(result: JobResult, checks: { reads: number; writes: number }): void {
  expect(result.status, result.reason).toBe("ok");
  expect(result.verified).toEqual(checks);
  const stats = result.stats!;
  expect(stats.ops).toBeGreaterThan(0);
  expect(stats.ops).toBe(stats.reads + stats.writes);
  expect(stats.iops).toBeGreaterThan(0);
  expect(stats.latencyUs.p50).toBeLessThanOrEqual(stats.latencyUs.p99);
  expect(stats.latencyUs.p99).toBeLessThanOrEqual(stats.latencyUs.max);
  expect(stats.cpuMs.user + stats.cpuMs.system).toBeGreaterThan(0);
}

