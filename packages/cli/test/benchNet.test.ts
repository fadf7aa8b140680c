// `pktio bench --net`: a small run (a few rounds) of every trial, checked by its output; and
// each bad option named in one line with exit code 2.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { runChild } from "./helpers.js";

const Row = z.object({
  trial: z.enum(["tcp-echo", "udp-echo", "tcp-hash"]),
  contender: z.string(),
  status: z.enum(["ok", "unavailable", "error"]),
  reason: z.string().optional(),
  rate: z.number().positive().optional(),
  cpuUsPerOp: z.number().nonnegative().optional(),
  kernelUsPerOp: z.number().nonnegative().optional(),
  rateRatio: z.number().positive().optional(),
  perCpuRatio: z.number().positive().optional(),
});
const NetDocument = z.object({ machine: z.object({ cores: z.number() }), settings: z.looseObject({ rounds: z.number(), transfer: z.number() }), rows: z.array(Row) });

describe("pktio bench --net", () => {
  it("runs tcp-echo, udp-echo and a verified transfer for node and libuv, with rates and ratios to node", async () => {
    const out = await runChild(["bench", "--net", "--json", "--backend", "node,libuv", "--rounds", "3", "--transfer", "1m"]);
    expect(out.code, out.stderr).toBe(0);
    const document = NetDocument.parse(JSON.parse(out.stdout));
    expect(document.settings).toEqual({ trials: ["tcp-echo", "udp-echo", "tcp-hash"], contenders: ["node", "libuv"], rounds: 3, transfer: 1024 * 1024, udpLoops: 1, serverOptions: {} });
    expect(document.rows.map((row) => `${row.trial}/${row.contender}`)).toEqual(["tcp-echo/node", "tcp-echo/libuv", "udp-echo/node", "udp-echo/libuv", "tcp-hash/node", "tcp-hash/libuv"]);
    for (const row of document.rows) {
      expect(row.status, row.reason).toBe("ok");
      expect(row.rate).toBeGreaterThan(0);
      expect(row.cpuUsPerOp).toBeGreaterThan(0);
      expect(row.kernelUsPerOp).toBeLessThanOrEqual(row.cpuUsPerOp as number);
      if (row.contender === "node") expect(row.rateRatio).toBe(1);
      else expect(row.perCpuRatio).toBeGreaterThan(0);
    }
  }, 60_000);

  it("prints a table per trial with the unit, CPU per operation and the ratio columns", async () => {
    const out = await runChild(["bench", "--net", "--trials", "tcp-echo", "--backend", "node,uring", "--rounds", "2"]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("tcp-echo (requests/s; server CPU µs per operation, of it in the kernel; ratios to node)");
    expect(out.stdout).toMatch(/node +\d+ requests\/s +[\d.]+ µs CPU\/op \(kernel +[\d.]+\) {2}rate ×1\.00 {2}per CPU-second ×1\.00/);
    // uring either measured or says why it cannot work here.
    expect(out.stdout).toMatch(/uring +(\d+ requests\/s|not available: .+)/);
  }, 60_000);

  it("passes --udp-loops and --server-options to the servers: a backend refuses an option it does not know, and says which", async () => {
    const good = await runChild(["bench", "--net", "--json", "--trials", "udp-echo", "--backend", "node,libuv", "--rounds", "2", "--udp-loops", "4", "--server-options", '{"libuv":{}}']);
    expect(good.code, good.stderr).toBe(0);
    const document = NetDocument.parse(JSON.parse(good.stdout));
    expect(document.settings).toMatchObject({ udpLoops: 4, serverOptions: { libuv: {} } });
    expect(document.rows.map((row) => row.status)).toEqual(["ok", "ok"]);
    const bad = await runChild(["bench", "--net", "--json", "--trials", "tcp-echo", "--backend", "node,libuv", "--rounds", "2", "--server-options", '{"libuv":{"noSuchOption":1}}']);
    expect(bad.code).toBe(1);
    const rows = NetDocument.parse(JSON.parse(bad.stdout)).rows;
    expect(rows.find((row) => row.contender === "libuv")).toMatchObject({ status: "error", reason: expect.stringMatching(/noSuchOption/) });
  }, 60_000);

  for (const [argv, message] of [
    [["--trials", "tcp-ping"], /--trials: unknown trial "tcp-ping"; expected a comma-separated list of tcp-echo, udp-echo, tcp-hash/],
    [["--backend", "nodejs"], /--backend: unknown contender "nodejs"/],
    [["--rounds", "0"], /--rounds/],
    [["--transfer", "12q"], /--transfer/],
    [["--iodepth", "4"], /iodepth/],
    [["--udp-loops", "0"], /--udp-loops/],
    [["--server-options", "{uring"], /--server-options: expected JSON/],
    [["--server-options", '{"fio":{}}'], /--server-options: expected an object of backend options keyed by uring, libuv, threaded/],
  ] as const) {
    it(`refuses ${argv.join(" ")} with exit code 2, naming the option`, async () => {
      const out = await runChild(["bench", "--net", ...argv]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(message);
      expect(out.stdout).toBe("");
    });
  }
});
