import { describe, expect, it } from "vitest";
import { parseDuration, parseSize } from "../src/index.js";
import { runChild, runHere } from "./helpers.js";

describe("sizes and durations", () => {
  it("parses binary sizes with k/m/g/t suffixes", () => {
    expect(parseSize("512")).toBe(512);
    expect(parseSize("4k")).toBe(4096);
    expect(parseSize("4K")).toBe(4096);
    expect(parseSize("4KiB")).toBe(4096);
    expect(parseSize("256m")).toBe(256 * 2 ** 20);
    expect(parseSize("1g")).toBe(2 ** 30);
    expect(parseSize("1.5k")).toBe(1536);
    expect(parseSize("4x")).toBeUndefined();
    expect(parseSize("-1")).toBeUndefined();
    expect(parseSize("0.3")).toBeUndefined();
  });
  it("parses durations in ms, s and m; a bare number is seconds", () => {
    expect(parseDuration("300ms")).toBe(300);
    expect(parseDuration("3s")).toBe(3000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("2")).toBe(2000);
    expect(parseDuration("1m")).toBe(60_000);
    expect(parseDuration("fast")).toBeUndefined();
  });
});

describe("command line", () => {
  it("without a command prints the usage on stderr and exits 2", async () => {
    const out = await runHere([]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/Usage: pktio <command>/);
  });
  it("a PKTIO_BACKENDS that names no backend is a usage mistake: exit 2, one line naming it and the valid choices", async () => {
    for (const value of ["urng", "libuv,,threaded", "uring;libuv"]) {
      const out = await runChild(["stat", "/"], { ...process.env, PKTIO_BACKENDS: value });
      expect(out.code, value).toBe(2);
      expect(out.stderr).toMatch(/^pktio: PKTIO_BACKENDS: .*valid backends: .*uring.*\n$/);
      expect(out.stdout).toBe("");
    }
  });
  it("PKTIO_URING other than 0 or 1 is a usage mistake (exit 2, one line); set but empty is unset", async () => {
    for (const value of ["yes", "2", "true"]) {
      const out = await runChild(["stat", "/"], { ...process.env, PKTIO_URING: value });
      expect(out.code, value).toBe(2);
      expect(out.stderr).toBe(`pktio: PKTIO_URING must be 0 or 1, got ${JSON.stringify(value)}\n`);
      expect(out.stdout).toBe("");
    }
    for (const value of ["", " "]) {
      const out = await runChild(["stat", "/"], { ...process.env, PKTIO_URING: value });
      expect(out.code, JSON.stringify(value)).toBe(0);
      expect(out.stdout).toContain("directory");
    }
  });
  it("help and --help print to stdout and exit 0", async () => {
    for (const argv of [["help"], ["--help"], ["help", "bench"], ["bench", "--help"], ["cat", "-h"], ["cp", "--help"], ["stat", "--help"]]) {
      const out = await runHere(argv);
      expect(out.code, argv.join(" ")).toBe(0);
      expect(out.stdout).toMatch(/Usage: pktio/);
      expect(out.stderr).toBe("");
    }
    const bench = await runHere(["bench", "--help"]);
    for (const option of ["--rw", "--bs", "--size", "--iodepth", "--runtime", "--backend", "--sync", "--direct", "--file", "--json"]) expect(bench.stdout).toContain(option);
    expect(bench.stdout).not.toContain("--worker");
  });

  const bad: [string[], RegExp][] = [
    [["frob"], /^pktio: unknown command "frob"/],
    [["help", "frob"], /^pktio: no such command "frob"/],
    [["bench", "--rw", "sideways"], /^pktio bench: --rw: expected one of randread, read, randwrite, write, randrw \(got "sideways"\)/],
    [["bench", "--bs", "4x"], /^pktio bench: --bs: expected a size such as 4k/],
    [["bench", "--bs", "0"], /^pktio bench: --bs: must be between 1 and/],
    [["bench", "--bs", "128m"], /^pktio bench: --bs: must be between/],
    [["bench", "--size", "lots"], /^pktio bench: --size: expected a size/],
    [["bench", "--size", "1k", "--bs", "4k"], /^pktio bench: --bs: 4096 bytes is larger than --size/],
    [["bench", "--iodepth", "0"], /^pktio bench: --iodepth: expected a whole number from 1 to 4096/],
    [["bench", "--iodepth", "2.5"], /^pktio bench: --iodepth: /],
    [["bench", "--iodepth", "4096", "--bs", "1m"], /^pktio bench: --iodepth: --bs × --iodepth is more than 1 GiB/],
    [["bench", "--runtime", "soon"], /^pktio bench: --runtime: expected a duration such as 300ms or 3s/],
    [["bench", "--runtime", "1ms"], /^pktio bench: --runtime: must be between/],
    [["bench", "--runtime"], /^pktio bench: --runtime needs a value/],
    [["bench", "--backend", "libuv,iouring"], /^pktio bench: --backend: unknown backend "iouring"/],
    [["bench", "--direct", "--bs", "1000"], /^pktio bench: --bs: must be a multiple of 512 with --direct/],
    [["bench", "--sync=maybe"], /^pktio bench: --sync: is a flag and takes no value/],
    [["bench", "--frob"], /^pktio bench: unknown option --frob/],
    [["bench", "--rw", "read", "--rw", "write"], /^pktio bench: --rw is given more than once/],
    [["bench", "-x"], /^pktio bench: unknown option -x/],
    [["bench", "data.bin"], /^pktio bench: unexpected argument "data.bin" \(a file is given with --file PATH\)/],
    [["bench", "--worker", "--backend", "all", "--file", "x"], /^pktio bench: --backend: a worker runs exactly one of/],
    [["bench", "--worker", "--backend", "libuv"], /^pktio bench: --file: a worker needs --file/],
    [["cat"], /^pktio cat: needs at least one FILE/],
    [["cat", "--backend", "fast", "x"], /^pktio cat: --backend: expected one of auto, uring, libuv, threaded/],
    [["cp", "a"], /^pktio cp: needs exactly two arguments: SRC DST/],
    [["cp", "a", "b", "c"], /^pktio cp: needs exactly two arguments/],
    [["cp", "--verbose", "a", "b"], /^pktio cp: unknown option --verbose/],
    [["stat"], /^pktio stat: needs at least one FILE/],
    [["stat", "--json=yes", "x"], /^pktio stat: --json: is a flag/],
  ];
  it.each(bad)("%j: one line on stderr naming the problem, exit 2", async (argv, message) => {
    const out = await runHere(argv);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
