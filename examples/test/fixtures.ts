/**
 * Fixtures the recipe tests make themselves: a tree of files written with node:fs (empty, tiny,
 * compressible text, seeded random bytes past 1 MiB, nested directories), and the runtimes of
 * every backend that works here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runtime } from "@pktio/core";
import { openEach } from "@pktio/rt";

/** Deterministic pseudo-random bytes (xorshift32). */
export function seeded(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Relative path → contents of the tree `makeTree` writes; directories end with "/". */
export type Tree = Map<string, Buffer>;

export function makeTree(root: string): Tree {
  mkdirSync(root, { recursive: true });
  const text = Array.from({ length: 20_000 }, (_, i) => `row ${i}: ${"pktio ".repeat(i % 9)}\n`).join("");
  const tree: Tree = new Map([
    ["empty.txt", Buffer.alloc(0)],
    ["tiny.bin", Buffer.from([1, 2, 3])],
    ["docs/", Buffer.alloc(0)],
    ["docs/notes.txt", Buffer.from(text)],
    ["docs/deep/", Buffer.alloc(0)],
    ["docs/deep/random.bin", seeded(1_500_000, 7)],
    ["odd-size.bin", seeded(65_537, 9)],
  ]);
  for (const [path, bytes] of tree) {
    if (path.endsWith("/")) mkdirSync(join(root, path), { recursive: true });
    else writeFileSync(join(root, path), bytes);
  }
  return tree;
}

/** A fresh temp directory, removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pktio-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `body` on a runtime of each backend that works here; closes them. Returns the names. */
export async function eachBackend(body: (rt: Runtime) => Promise<void>): Promise<string[]> {
  const runtimes = await openEach();
  const names: string[] = [];
  try {
    for (const rt of runtimes) {
      names.push(rt.backend);
      await body(rt);
    }
  } finally {
    for (const rt of runtimes) await rt.close();
  }
  return names;
}

export { readFileSync };
