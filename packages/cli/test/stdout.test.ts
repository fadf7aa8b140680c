/**
 * Standard output that cannot be written (helper finding, 2026-12-08): `pktio … > /dev/full`
 * and a reader that went away (EPIPE) crashed with Node's "Unhandled 'error' event" and a
 * 25-line stack trace. Now ENOSPC is one line on stderr and exit 1, and EPIPE ends quietly.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageDir, tempDir } from "./helpers.js";

const main = join(packageDir, "src", "main.ts");
const dir = tempDir();
afterAll(() => dir.remove());
const file = join(dir.path, "f.txt");
writeFileSync(file, "x".repeat(100_000));

/** Runs the CLI with `stdout` as its standard output; resolves with its exit code and stderr. */
function run(argv: readonly string[], stdout: number | "pipe", onStdout?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=pktio-source", main, ...argv], { cwd: packageDir, stdio: ["ignore", stdout, "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    onStdout?.(child);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const full = existsSync("/dev/full") && statSync("/dev/full").isCharacterDevice() ? undefined : "/dev/full is not a character device here";

describe("standard output that cannot be written", () => {
  for (const argv of [["--help"], ["help", "bench"], ["stat", file], ["cat", file], ["bench", "--help"], ["serve", "--help"]]) {
    it(`pktio ${argv.join(" ")} > /dev/full: one line on stderr, exit 1`, async (context) => {
      if (full !== undefined) return context.skip(full);
      const fd = openSync("/dev/full", "w");
      try {
        const { code, stderr } = await run(argv, fd);
        expect(code, stderr).toBe(1);
        expect(stderr).toMatch(/^pktio: NoSpace: .*\n$/);
        expect(stderr).not.toMatch(/Unhandled|at .*\(/);
      } finally {
        closeSync(fd);
      }
    });
  }

  it("pktio cat of six FILEs writes them all, with nothing on stderr (no MaxListenersExceededWarning)", async () => {
    let bytes = 0;
    const { code, stderr } = await run(["cat", file, file, file, file, file, file], "pipe", (child) => child.stdout!.on("data", (chunk: Buffer) => (bytes += chunk.length)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(bytes).toBe(6 * 100_000);
  });

  it("a reader that goes away after a FILE failed keeps cat's exit status 1 (pktio cat missing big | head)", async () => {
    const big = join(dir.path, "big.bin");
    writeFileSync(big, Buffer.alloc(16 * 1024 * 1024, 1));
    const { code, stderr } = await run(["cat", join(dir.path, "missing"), big], "pipe", (child) => child.stdout!.once("data", () => child.stdout!.destroy()));
    expect(stderr).toMatch(/^pktio: NotFound: .*missing.*\n$/);
    expect(code).toBe(1);
  });

  it("a reader that goes away (EPIPE) ends the command quietly", async () => {
    const { code, stderr } = await run(["stat", file], "pipe", (child) => child.stdout!.destroy());
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
