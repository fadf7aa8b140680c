import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import yauzl from "yauzl";
import yazl from "yazl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openZip, readEntries } from "../yauzl.js";
import { eachBackend, makeTree, tempDir, type Tree } from "./fixtures.js";

/** yauzl's own fs path: the reference every pktio read must equal byte for byte. */
function readWithYauzl(path: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, zip) => (error === null ? readEntries(zip).then(resolve, reject) : reject(error))),
  );
}

describe("recipe: yauzl over a pktio file (fromRandomAccessReader)", () => {
  const temp = tempDir("yauzl");
  let tree: Tree;
  let zipPath: string;
  beforeAll(async () => {
    const root = join(temp.dir, "tree");
    tree = makeTree(root);
    const zip = new yazl.ZipFile();
    for (const path of tree.keys()) {
      if (path.endsWith("/")) zip.addEmptyDirectory(path);
      // Every other file stored, the rest deflated: both of yauzl's entry paths.
      else zip.addFile(join(root, path), path, { compress: !path.endsWith(".bin") });
    }
    zip.end();
    zipPath = join(temp.dir, "tree.zip");
    await finished(zip.outputStream.pipe(createWriteStream(zipPath)));
  });
  afterAll(temp.cleanup);

  for (const sync of [false, true]) {
    it(`every entry's bytes equal yauzl's own fs reader and the tree, on every backend (${sync ? "sync reader" : "async reader"})`, async () => {
      const reference = await readWithYauzl(zipPath);
      expect(reference.map((entry) => entry.name).sort()).toEqual([...tree.keys()].sort());
      const backends = await eachBackend(async (rt) => {
        const entries = await readEntries(await openZip(await rt.fs.open(zipPath), { sync }));
        expect(entries.map((entry) => entry.name), rt.backend).toEqual(reference.map((entry) => entry.name));
        entries.forEach((entry, i) => {
          expect(entry.bytes.equals(reference[i]?.bytes as Buffer), `${rt.backend}: ${entry.name}`).toBe(true);
          expect(entry.bytes.equals(tree.get(entry.name) as Buffer), `${rt.backend}: ${entry.name} vs the tree`).toBe(true);
        });
      });
      expect(backends).toContain("libuv");
    });
  }
});
