import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileTypeFromFile } from "file-type";
import { fromFile } from "strtok3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileTypeOf, tokenizerOf } from "../fileHandleLibrary.js";
import { eachBackend, seeded, tempDir } from "./fixtures.js";

/** A token as strtok3 takes it: a little-endian u32. */
const U32LE = { len: 4, get: (buffer: Uint8Array, offset: number) => Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).readUInt32LE(offset) };

describe("recipe: a FileHandle library (strtok3's FileTokenizer, file-type) through toNodeFileHandle", () => {
  const temp = tempDir("tokenizer");
  const files: Record<string, Uint8Array> = {
    // Magic numbers file-type knows, each followed by seeded bytes.
    "image.png": Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), seeded(70_000, 5)]),
    "archive.gz": Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), seeded(300_000, 6)]),
    "doc.pdf": Buffer.concat([Buffer.from("%PDF-1.7\n"), seeded(5000, 7)]),
    "noise.bin": seeded(1_200_000, 8),
  };
  beforeAll(() => {
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(temp.dir, name), bytes);
  });
  afterAll(temp.cleanup);

  it("file-type gives the answer of its own fs path, on every backend", async () => {
    const detected = await Promise.all(Object.keys(files).map(async (name) => (await fileTypeFromFile(join(temp.dir, name)))?.ext));
    expect(detected).toEqual(["png", "gz", "pdf", undefined]);
    const backends = await eachBackend(async (rt) => {
      for (const name of Object.keys(files)) {
        const path = join(temp.dir, name);
        expect(await fileTypeOf(await rt.fs.open(path)), `${rt.backend}: ${name}`).toEqual(await fileTypeFromFile(path));
      }
    });
    expect(backends).toContain("libuv");
  });

  it("the tokenizer reads, peeks and skips the same bytes and tokens as strtok3.fromFile, on every backend", async () => {
    const path = join(temp.dir, "noise.bin");
    const size = files["noise.bin"]?.byteLength as number;
    const walk = async (tokenizer: Awaited<ReturnType<typeof fromFile>>): Promise<unknown[]> => {
      const seen: unknown[] = [];
      try {
        seen.push(await tokenizer.readToken(U32LE), await tokenizer.peekToken(U32LE), tokenizer.position);
        await tokenizer.ignore(100_003);
        const middle = new Uint8Array(200_000);
        seen.push(await tokenizer.readBuffer(middle), Buffer.from(middle).toString("hex"));
        const rest = new Uint8Array(size);
        seen.push(await tokenizer.readBuffer(rest, { mayBeLess: true }), Buffer.from(rest).toString("hex"), tokenizer.position);
        seen.push(await tokenizer.readToken(U32LE).catch((error: Error) => error.name));
      } finally {
        await tokenizer.close();
      }
      return seen;
    };
    const expected = await walk(await fromFile(path));
    expect(expected.at(-1)).toBe("EndOfStreamError");
    const backends = await eachBackend(async (rt) => {
      expect(await walk(await tokenizerOf(await rt.fs.open(path))), rt.backend).toEqual(expected);
    });
    expect(backends).toContain("libuv");
  });
});
