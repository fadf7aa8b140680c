/**
 * A write that runs out of space (ENOSPC) on a real, small file system: a 1 MiB tmpfs mounted
 * for the test (needs root, as CI has; elsewhere the scenarios skip with the reason). A failed
 * write says what it wrote — `writeAt` returns the short count, `writeAllAt` throws kind NoSpace
 * with `transferred` — and no backend writes past the first failed piece: the file holds exactly
 * the written prefix of the data, no holes, nothing beyond. A copyFile that runs out of space leaves
 * no destination (by path, node:fs removes it; beneath a root, copyThroughHandles does).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "./rng.js";

const SIZE = 2 * 1024 * 1024;

export function describeNoSpace(getRuntime: () => Runtime): void {
  describe("writes that run out of space", () => {
    let mountPoint: string;
    let missing: string | undefined;
    let count = 0;
    const data = seededBytes(SIZE, 0x05ace);
    beforeAll(() => {
      mountPoint = mkdtempSync(join(tmpdir(), "pktio-enospc-"));
      try {
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=1M", "tmpfs", mountPoint], { stdio: "pipe" });
      } catch (error) {
        missing = `a 1 MiB tmpfs cannot be mounted here (needs root): ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
      }
    });
    afterAll(() => {
      // Lazy: a file a failed scenario left open must not turn into a second failure here.
      if (missing === undefined) execFileSync("umount", ["-l", mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    /** The file holds exactly data[0, written): the written prefix, nothing past the failure. */
    const expectPrefix = (path: string, written: number): void => {
      const onDisk = readFileSync(path);
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(SIZE);
      expect(onDisk.length).toBe(written);
      expect(Buffer.compare(onDisk, Buffer.from(data.buffer, data.byteOffset, written))).toBe(0);
      unlinkSync(path);
    };

    const fresh = async (): Promise<{ path: string; file: Awaited<ReturnType<Runtime["fs"]["open"]>> }> => {
      const path = join(mountPoint, `file-${count++}`);
      return { path, file: await getRuntime().fs.open(path, { write: true, createNew: true }) };
    };

    it("writeAt returns the short count; the file holds that prefix", async (context) => {
      if (missing !== undefined) return context.skip(missing);
      const { path, file } = await fresh();
      const written = await file.writeAt(0, data);
      await file.close();
      expectPrefix(path, written);
    });

    it("writeAllAt throws NoSpace carrying transferred; nothing is written past the failure", async (context) => {
      if (missing !== undefined) return context.skip(missing);
      const { path, file } = await fresh();
      const error = (await file.writeAllAt(0, data).then(() => undefined, (thrown: unknown) => thrown)) as { kind?: string; transferred?: number; message?: string } | undefined;
      await file.close();
      expect(error?.kind).toBe("NoSpace");
      expect(error?.message).toMatch(/wrote \d+ of 2097152 bytes/);
      expectPrefix(path, error?.transferred ?? 0);
    });

    it("the sync forms say the same", async (context) => {
      if (missing !== undefined) return context.skip(missing);
      const first = await fresh();
      const written = first.file.writeAtSync(0, data);
      first.file.closeSync();
      expectPrefix(first.path, written);
      const second = await fresh();
      let error: { kind?: string; transferred?: number; message?: string } | undefined;
      try {
        second.file.writeAllAtSync(0, data);
      } catch (thrown) {
        error = thrown as typeof error;
      }
      second.file.closeSync();
      expect(error?.kind).toBe("NoSpace");
      // The OS error names the file on every backend (threaded's sync write named none).
      expect(error?.message).toContain(second.path);
      expectPrefix(second.path, error?.transferred ?? 0);
    });

    it("copyFile that runs out of space fails NoSpace and leaves no destination, by path and beneath a root, async and sync", async (context) => {
      if (missing !== undefined) return context.skip(missing);
      // The source lives outside the small file system; node:fs's copyFile removes a destination it could not fill.
      const outside = mkdtempSync(join(tmpdir(), "pktio-enospc-src-"));
      const source = join(outside, "big.bin");
      writeFileSync(source, data);
      const dir = await getRuntime().fs.openDir(mountPoint);
      try {
        const attempts: Array<[string, () => Promise<void> | void]> = [
          ["fs.copyFile", () => getRuntime().fs.copyFile(source, join(mountPoint, "copy-fs"))],
          ["fs.copyFileSync", () => getRuntime().fs.copyFileSync(source, join(mountPoint, "copy-fs-sync"))],
        ];
        const inside = join(mountPoint, "inside.bin");
        for (const [name, copy] of attempts) {
          const error = await Promise.resolve().then(copy).then(() => undefined, (thrown: unknown) => thrown);
          expect((error as { kind?: string } | undefined)?.kind, name).toBe("NoSpace");
        }
        // Beneath a root both ends are on the small file system: a source that fits, copied twice, does not.
        writeFileSync(inside, data.subarray(0, 600 * 1024));
        for (const [name, copy] of [
          ["dir.copyFile", () => dir.copyFile("inside.bin", "copy-dir")],
          ["dir.copyFileSync", () => dir.copyFileSync("inside.bin", "copy-dir-sync")],
        ] as Array<[string, () => Promise<void> | void]>) {
          const error = await Promise.resolve().then(copy).then(() => undefined, (thrown: unknown) => thrown);
          expect((error as { kind?: string } | undefined)?.kind, name).toBe("NoSpace");
        }
        unlinkSync(inside);
        expect(readdirSync(mountPoint).sort()).toEqual([]);
      } finally {
        await dir.close();
        rmSync(outside, { recursive: true, force: true });
      }
    });
  });
}
