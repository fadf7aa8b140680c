import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { afterAll, describe, expect, it } from "vitest";
import { AllJobs, JobResult, PROTOCOL } from "../src/index.js";
import { expectMeasured } from "./expectMeasured.js";
import { runChild, seededBytes, tempDir } from "./helpers.js";

const dir = tempDir();
afterAll(() => dir.remove());
const file = join(dir.path, "data.bin");
writeFileSync(file, seededBytes(2 * 1024 * 1024));
const hash = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

const BenchDocument = z.object({
  protocol: z.literal(PROTOCOL),
  machine: z.object({ kernel: z.string(), cpu: z.string(), cores: z.number(), node: z.string(), date: z.string() }),
  settings: z.looseObject({ rw: z.string(), bs: z.number(), size: z.number(), iodepth: z.number(), runtimeMs: z.number() }),
  results: z.array(JobResult),
});

describe("pktio bench --json", () => {
  it("runs libuv and node-callbacks, each checked before timing, and removes its generated file", async () => {
    const out = await runChild(["bench", "--json", "--backend", "libuv,node-callbacks", "--size", "4m", "--runtime", "300ms"]);
    expect(out.code, out.stderr).toBe(0);
    const document = BenchDocument.parse(JSON.parse(out.stdout));
    expect(document.settings).toMatchObject({ rw: "randread", bs: 4096, size: 4 * 1024 * 1024, iodepth: 64, runtimeMs: 300, file: null });
    expect(document.results.map((result) => result.job)).toEqual(["libuv", "node-callbacks"]);
    for (const result of document.results) {
      expectMeasured(result, { reads: 256, writes: 0 });
      expect(result.iodepth).toBe(64);
    }
    expect(document.results[0]!.detail).toContain("sendPacket");
    // Progress went to stderr, and the scratch directory it named is gone.
    const scratch = /in (\S*pktio-bench-\S+)/.exec(out.stderr)?.[1];
    expect(scratch).toBeDefined();
    expect(existsSync(scratch!)).toBe(false);
  });

  it("writes go to a copy: --file is left as it was", async () => {
    const before = hash(file);
    const out = await runChild(["bench", "--json", "--backend", "libuv,node-sync", "--rw", "randrw", "--file", file, "--size", "1m", "--iodepth", "8", "--runtime", "200ms"]);
    expect(out.code, out.stderr).toBe(0);
    const document = BenchDocument.parse(JSON.parse(out.stdout));
    expect(document.settings).toMatchObject({ size: 1024 * 1024, file });
    expectMeasured(document.results[0]!, { reads: 256, writes: 256 });
    expectMeasured(document.results[1]!, { reads: 256, writes: 256 });
    expect(document.results[1]!.iodepth).toBe(1);
    expect(hash(file)).toBe(before);
  });

  it("--backend all has a row for every job, fio's included, installed or not", async () => {
    const out = await runChild(["bench", "--json", "--size", "1m", "--runtime", "50ms", "--iodepth", "4"]);
    expect(out.code, out.stderr).toBe(0);
    const { results } = BenchDocument.parse(JSON.parse(out.stdout));
    expect(results.map((result) => result.job)).toEqual([...AllJobs]);
    for (const result of results) {
      if (result.status !== "ok") {
        expect(result.status).toBe("unavailable");
        expect(result.reason?.length).toBeGreaterThan(5);
      }
    }
    for (const name of ["libuv", "node-promises", "node-callbacks", "node-sync"]) expect(results.find((result) => result.job === name)?.status).toBe("ok");
    const fio = results.find((result) => result.job === "fio")!;
    if (fio.status !== "ok") expect(fio.reason).toMatch(/fio/);
    else expect(fio.verified).toBeUndefined();
  });

  it("fio measures the file asked for, whatever its name: a `:` or ` #` in --file or TMPDIR never reaches fio's parser (decoys stay)", async () => {
    // fio splits a filename on ':' and cuts a value at ' #': given 'a:b #1.bin' as is, it read
    // (and, writing, laid out) ./a and ./b instead. The decoys must be left as they were.
    const odd = join(dir.path, "odd:dir #x");
    mkdirSync(odd);
    const target = join(odd, "a:b #1.bin");
    writeFileSync(target, seededBytes(1024 * 1024, 3));
    const decoys = [join(odd, "a"), join(odd, "b"), join(dir.path, "odd"), join(odd, "b #1.bin")];
    for (const decoy of decoys) writeFileSync(decoy, `decoy ${decoy}`);
    const before = hash(target);
    for (const rw of ["randread", "randwrite"]) {
      const out = await runChild(["bench", "--json", "--backend", "fio", "--rw", rw, "--file", target, "--size", "1m", "--iodepth", "4", "--runtime", "100ms"], { ...process.env, TMPDIR: odd });
      expect(out.code, out.stderr).toBe(0);
      const fio = BenchDocument.parse(JSON.parse(out.stdout)).results[0]!;
      // fio is installed by .ci/run; elsewhere the row says it is missing.
      if (fio.status !== "ok") expect(fio.reason).toMatch(/not installed/);
      for (const decoy of decoys) expect(readFileSync(decoy, "utf8"), decoy).toBe(`decoy ${decoy}`);
      expect(hash(target)).toBe(before);
    }
    // Nothing of pktio's is left in TMPDIR (tsx, which runs the CLI from source here, keeps its cache there).
    expect(readdirSync(odd).filter((name) => !name.startsWith("tsx-")).sort()).toEqual(["a", "a:b #1.bin", "b", "b #1.bin"].sort());
  });

  it("a missing --file is exit 1 with kind NotFound", async () => {
    const out = await runChild(["bench", "--file", join(dir.path, "nope.bin"), "--backend", "node-sync"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^pktio: NotFound: /m);
  });
});
