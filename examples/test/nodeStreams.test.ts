import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linesOf, sha256Of } from "../nodeStreams.js";
import { eachBackend, seeded, tempDir } from "./fixtures.js";

describe("recipe: Node's stream.pipeline and readLines over toNodeFileHandle", () => {
  const temp = tempDir("streams");
  const textPath = join(temp.dir, "lines.txt");
  const binaryPath = join(temp.dir, "data.bin");
  const text = Array.from({ length: 30_000 }, (_, i) => `${i}\t${"abc".repeat(i % 17)}${i % 5 === 0 ? "\r" : ""}`).join("\n");
  beforeAll(() => {
    writeFileSync(textPath, text);
    writeFileSync(binaryPath, seeded(3_000_000, 11));
  });
  afterAll(temp.cleanup);

  it("the hash and the lines equal those of Node's own FileHandle, on every backend", async () => {
    const nodeHash = createHash("sha256").update(seeded(3_000_000, 11)).digest("hex");
    const nodeLines: string[] = [];
    for await (const line of (await open(textPath)).readLines()) nodeLines.push(line);
    expect(nodeLines).toHaveLength(30_000);
    const backends = await eachBackend(async (rt) => {
      const file = await rt.fs.open(binaryPath);
      expect(await sha256Of(file), rt.backend).toBe(nodeHash);
      expect(file.closed).toBe(true);
      const textFile = await rt.fs.open(textPath);
      expect(await linesOf(textFile), rt.backend).toEqual(nodeLines);
      expect(textFile.closed).toBe(true);
    });
    expect(backends).toContain("libuv");
  });
});
