/**
 * The `mode` open option: the permission bits of a file an open creates (less the umask, as
 * open(2) applies it), by path and beneath a root, async and sync; a file that exists keeps its
 * own; `mode` without create is InvalidInput; copyFile gives a new destination the source's
 * permission bits, as node:fs's copyFile does. Every expectation is computed from this
 * process's umask, so the scenarios hold under any.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The process's umask, read without changing it for longer than the call. */
function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

export function describeCreateMode(getRuntime: () => Pick<Runtime, "fs">): void {
  describe("create mode", () => {
    let dir: string;
    let umask: number;
    const permissions = (path: string): number => statSync(path).mode & 0o7777;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pktio-mode-"));
      umask = currentUmask();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("a created file gets mode less the umask, by path and beneath a root, async and sync; an existing file keeps its own", async () => {
      const { fs } = getRuntime();
      const cases: Array<[string, number]> = [
        ["owner-only", 0o600],
        ["group-read", 0o640],
        ["no-access", 0o000],
        ["default", -1],
      ];
      const root = await fs.openDir(dir);
      try {
        for (const [name, mode] of cases) {
          const options = mode < 0 ? { write: true, createNew: true } : { write: true, createNew: true, mode };
          const expected = (mode < 0 ? 0o666 : mode) & ~umask;
          const opens: Array<[string, () => Promise<{ close(): Promise<void> }> | { close(): Promise<void> }]> = [
            [`${name}-path`, () => fs.open(join(dir, `${name}-path`), options)],
            [`${name}-path-sync`, () => fs.openSync(join(dir, `${name}-path-sync`), options)],
            [`${name}-root`, () => root.open(`${name}-root`, options)],
            [`${name}-root-sync`, () => root.openSync(`${name}-root-sync`, options)],
          ];
          for (const [file, open] of opens) {
            await (await open()).close();
            expect(permissions(join(dir, file)), file).toBe(expected);
          }
        }
        // create (not createNew) on a file that exists leaves its permission bits alone, beneath a root too.
        writeFileSync(join(dir, "existing"), "x");
        chmodSync(join(dir, "existing"), 0o644);
        await (await fs.open(join(dir, "existing"), { write: true, create: true, mode: 0o600 })).close();
        (await root.open("existing", { write: true, create: true, mode: 0o600 })).closeSync();
        expect(permissions(join(dir, "existing"))).toBe(0o644);
      } finally {
        await root.close();
      }
    });

    it("mode without create or createNew, or out of range, is InvalidInput naming it", async () => {
      const { fs } = getRuntime();
      const path = join(dir, "existing-for-invalid");
      writeFileSync(path, "x");
      for (const options of [{ mode: 0o600 }, { write: true, mode: 0o600 }, { write: true, create: true, mode: 0o10000 }, { write: true, create: true, mode: -1 }, { write: true, create: true, mode: 1.5 }]) {
        await expect(fs.open(path, options), JSON.stringify(options)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/mode/) }));
        expect(() => fs.openSync(path, options), JSON.stringify(options)).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
      }
    });

    it("copyFile gives a new destination the source's permission bits (less the umask), by path and beneath a root", async () => {
      const { fs } = getRuntime();
      const source = join(dir, "script.sh");
      writeFileSync(source, "#!/bin/sh\necho copied\n");
      chmodSync(source, 0o750);
      const root = await fs.openDir(dir);
      try {
        await fs.copyFile(source, join(dir, "copy-path.sh"));
        fs.copyFileSync(source, join(dir, "copy-path-sync.sh"));
        await root.copyFile("script.sh", "copy-root.sh");
        root.copyFileSync("script.sh", "copy-root-sync.sh");
      } finally {
        await root.close();
      }
      // node:fs's copyFile sets the source's bits exactly (fchmod); beneath a root the open's mode is used, less the umask.
      expect(permissions(join(dir, "copy-path.sh"))).toBe(0o750);
      expect(permissions(join(dir, "copy-path-sync.sh"))).toBe(0o750);
      expect(permissions(join(dir, "copy-root.sh"))).toBe(0o750 & ~umask);
      expect(permissions(join(dir, "copy-root-sync.sh"))).toBe(0o750 & ~umask);
    });
  });
}
