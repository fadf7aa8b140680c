/**
 * mfio's file-system suite over the fixture tree: files_equal, files_equal_rel, dirs_equal,
 * walk_dirs, writes_equal and writes_equal_rel, each sequential ("seq") and concurrent ("con"),
 * compared with plain `node:fs`; plus the error kinds every backend must report alike.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileHandle, FsOps, Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureTree } from "./fsFixture.js";
import { walkWith, walkWithNode } from "./fsWalk.js";
import { equalBytes } from "./packetScenarios.js";
import { repeat } from "./Subject.js";

const CHUNK = 1024 * 1024;

/** Reads a whole file in 1 MiB chunks, all in flight at once in "con" mode. */
async function readWhole(file: FileHandle, mode: "seq" | "con"): Promise<Uint8Array> {
  const size = (await file.stat()).size;
  const whole = new Uint8Array(size);
  await repeat(mode, Math.ceil(size / CHUNK), (i) => file.readExactAt(i * CHUNK, whole.subarray(i * CHUNK, Math.min(size, (i + 1) * CHUNK))));
  return whole;
}

/** Writes `bytes` in 1 MiB chunks, all in flight at once in "con" mode. */
async function writeWhole(file: FileHandle, bytes: Uint8Array, mode: "seq" | "con"): Promise<void> {
  await repeat(mode, Math.ceil(bytes.length / CHUNK), (i) => file.writeAllAt(i * CHUNK, bytes.subarray(i * CHUNK, (i + 1) * CHUNK)));
}

/**
 * The fixture-tree scenarios over `getRuntime().fs`, which takes the fixture's absolute local
 * paths (a remote file system is wrapped to map them onto its own).
 */
export function describeFs(getRuntime: () => Pick<Runtime, "fs">, bigFileSize: number): void {
  describe("file system over the fixture tree", () => {
    let root: string;
    let files: string[];
    let dirs: string[];
    let out: string;
    beforeAll(() => {
      root = fixtureTree({ bigFileSize });
      const tree = walkWithNode(root);
      files = tree.filter((entry) => entry.type === "file").map((entry) => entry.path);
      dirs = ["", ...tree.filter((entry) => entry.type === "directory").map((entry) => entry.path)];
      out = mkdtempSync(join(tmpdir(), "pktio-writes-"));
    });
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    const filesEqual = async (fs: FsOps, prefix: string, mode: "seq" | "con"): Promise<void> => {
      await repeat(mode, files.length, async (i) => {
        const path = files[i] as string;
        const file = await fs.open(prefix === "" ? path : `${prefix}/${path}`);
        try {
          expect(equalBytes(await readWhole(file, mode), readFileSync(join(root, path))), path).toBe(true);
        } finally {
          await file.close();
        }
      });
    };

    const writesEqual = async (fs: FsOps, prefix: string, target: string, mode: "seq" | "con"): Promise<void> => {
      const at = (path: string): string => (prefix === "" ? path : `${prefix}/${path}`);
      await fs.mkdir(at(target));
      for (const dir of dirs) if (dir !== "") await fs.mkdir(at(`${target}/${dir}`), { recursive: true });
      await repeat(mode, files.length, async (i) => {
        const path = files[i] as string;
        const file = await fs.open(at(`${target}/${path}`), { write: true, createNew: true });
        try {
          await writeWhole(file, readFileSync(join(root, path)), mode);
        } finally {
          await file.close();
        }
      });
      expect(walkWithNode(join(out, target))).toEqual(walkWithNode(root));
      for (const path of files) expect(equalBytes(readFileSync(join(out, target, path)), readFileSync(join(root, path))), path).toBe(true);
    };

    for (const mode of ["seq", "con"] as const) {
      it(`files_equal (${mode})`, () => filesEqual(getRuntime().fs, root, mode));

      it(`files_equal_rel (${mode})`, async () => {
        const dir = await getRuntime().fs.openDir(root);
        try {
          await filesEqual(dir, "", mode);
        } finally {
          await dir.close();
        }
      });

      it(`dirs_equal (${mode})`, async () => {
        const fs = getRuntime().fs;
        await repeat(mode, dirs.length, async (i) => {
          const dir = dirs[i] as string;
          const seen = [];
          for await (const entry of fs.readDir(join(root, dir))) seen.push(entry);
          const expected = readdirSync(join(root, dir), { withFileTypes: true }).map((entry) => ({ name: entry.name, type: entry.isDirectory() ? "directory" : "file" }));
          const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : 1);
          expect(seen.sort(byName), dir).toEqual(expected.sort(byName));
          expect(fs.readDirSync(join(root, dir)).sort(byName), dir).toEqual(expected.sort(byName));
        });
      });

      it(`walk_dirs (${mode})`, async () => {
        const fs = getRuntime().fs;
        const dir = await fs.openDir(root);
        try {
          expect(await walkWith(fs, root)).toEqual(walkWithNode(root));
          expect(await walkWith(dir, "")).toEqual(walkWithNode(root));
        } finally {
          await dir.close();
        }
      });

      it(`writes_equal (${mode})`, () => writesEqual(getRuntime().fs, out, `plain-${mode}`, mode));

      it(`writes_equal_rel (${mode})`, async () => {
        const dir = await getRuntime().fs.openDir(out);
        try {
          await writesEqual(dir, "", `rel-${mode}`, mode);
        } finally {
          await dir.close();
        }
      });
    }
  });
}
