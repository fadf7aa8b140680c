import { createReadStream, createWriteStream, readFileSync, statSync } from "node:fs";
import { MemoryIo } from "@pktio/core";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractTar, tarSource } from "../tarStream.js";
import { eachBackend, makeTree, tempDir, type Tree } from "./fixtures.js";

describe("recipe: tar-stream extracts from a pktio read stream", () => {
  const temp = tempDir("tar");
  const tarPath = join(temp.dir, "tree.tar");
  let tree: Tree;
  beforeAll(async () => {
    const root = join(temp.dir, "tree");
    tree = makeTree(root);
    const pack = tar.pack();
    const written = finished(pack.pipe(createWriteStream(tarPath)));
    for (const [name, bytes] of tree) {
      if (name.endsWith("/")) pack.entry({ name, type: "directory", mode: 0o755 });
      else pack.entry({ name, size: bytes.length, mode: statSync(join(root, name)).mode & 0o777 }, bytes);
    }
    pack.finalize();
    await written;
  });
  afterAll(temp.cleanup);

  it("every entry's header and bytes equal tar-stream over fs.createReadStream, on every backend, async and sync", async () => {
    const reference = await extractTar(createReadStream(tarPath));
    expect(reference.map((entry) => entry.header.name)).toEqual([...tree.keys()]);
    const backends = await eachBackend(async (rt) => {
      for (const sync of [false, true]) {
        const file = await rt.fs.open(tarPath);
        try {
          const entries = await extractTar(tarSource(file, { sync }));
          expect(entries.map((entry) => entry.header), `${rt.backend} sync=${sync}`).toEqual(reference.map((entry) => entry.header));
          entries.forEach((entry, i) => {
            expect(entry.bytes.equals(reference[i]?.bytes as Buffer), `${rt.backend}: ${entry.header.name}`).toBe(true);
            expect(entry.bytes.equals(tree.get(entry.header.name) as Buffer)).toBe(true);
          });
        } finally {
          await file.close();
        }
      }
    });
    expect(backends).toContain("libuv");
    const memory = new MemoryIo(readFileSync(tarPath));
    for (const sync of [false, true]) {
      const entries = await extractTar(tarSource(memory, { sync }));
      expect(entries.map((entry) => entry.header), `memory sync=${sync}`).toEqual(reference.map((entry) => entry.header));
      entries.forEach((entry, i) => expect(entry.bytes.equals(reference[i]?.bytes as Buffer)).toBe(true));
    }
  });
});
