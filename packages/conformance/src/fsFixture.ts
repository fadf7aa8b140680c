/**
 * The fixture tree of the file-system scenarios: text files, nested and empty directories and
 * four seeded pseudo-random files. It is generated once per machine into the temp dir (written
 * beside, then renamed into place, so concurrent runs never see half a tree) and reused.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededBytes } from "./rng.js";

const VERSION = 1;

export interface FixtureOptions {
  /** Size of each of the four seeded files; 64 MiB by default. */
  readonly bigFileSize: number;
}

/** Creates the tree if missing and returns its root. */
export function fixtureTree(options: FixtureOptions): string {
  const root = join(tmpdir(), `pktio-fixture-v${VERSION}-${options.bigFileSize}`);
  if (existsSync(join(root, ".complete"))) return root;
  const staging = `${root}.staging-${process.pid}-${Date.now()}`;
  const file = (path: string, bytes: Uint8Array | string): void => {
    mkdirSync(join(staging, path, ".."), { recursive: true });
    writeFileSync(join(staging, path), bytes);
  };
  file("text/hello.txt", "hello, pktio\n");
  file("text/lines.txt", Array.from({ length: 2000 }, (_, i) => `line ${i}: the quick brown fox\n`).join(""));
  file("text/empty.txt", "");
  file("nested/a/b/c/deep.txt", "deep\n");
  file("nested/a/sibling.bin", seededBytes(12_345, 7));
  file("nested/x/y.bin", seededBytes(100_000, 8));
  mkdirSync(join(staging, "empty"), { recursive: true });
  mkdirSync(join(staging, "nested/empty-inside/also-empty"), { recursive: true });
  for (let i = 0; i < 4; i++) file(`big/${i}.bin`, seededBytes(options.bigFileSize, 0xb16 + i));
  writeFileSync(join(staging, ".complete"), "");
  try {
    renameSync(staging, root);
  } catch {
    // Another run finished first; its tree is the same.
    rmSync(staging, { recursive: true, force: true });
  }
  return root;
}
