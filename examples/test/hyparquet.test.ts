import { readFileSync, writeFileSync } from "node:fs";
import { MemoryIo } from "@pktio/core";
import { join } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asyncBufferFromPktio, asyncBufferOf, syncBufferOf } from "../hyparquet.js";
import { eachBackend, seeded, tempDir } from "./fixtures.js";

const ROWS = 20_000;

describe("recipe: hyparquet over a pktio file (AsyncBuffer)", () => {
  const temp = tempDir("parquet");
  const path = join(temp.dir, "table.parquet");
  beforeAll(() => {
    const noise = seeded(ROWS * 4, 3);
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "id", data: Array.from({ length: ROWS }, (_, i) => i), type: "INT32" },
        { name: "value", data: Array.from({ length: ROWS }, (_, i) => noise.readInt32LE(i * 4) / 7), type: "DOUBLE" },
        { name: "label", data: Array.from({ length: ROWS }, (_, i) => `label-${i % 97}-${noise[i]}`), type: "STRING" },
      ],
      rowGroupSize: 4096,
    });
    writeFileSync(path, new Uint8Array(bytes));
  });
  afterAll(temp.cleanup);

  it("rows, metadata and every slice equal hyparquet's own file reader, on every backend, async and sync", async () => {
    // hyparquet's own fs path: the reference.
    const reference = await asyncBufferFromFile(path);
    const expectedRows = await parquetReadObjects({ file: reference });
    const expectedMetadata = await parquetMetadataAsync(reference);
    expect(expectedRows).toHaveLength(ROWS);
    const backends = await eachBackend(async (rt) => {
      const file = await rt.fs.open(path);
      try {
        for (const buffer of [await asyncBufferFromPktio(file), syncBufferOf(file, file.sizeSync())]) {
          expect(buffer.byteLength).toBe(reference.byteLength);
          expect(await parquetReadObjects({ file: buffer }), rt.backend).toEqual(expectedRows);
          expect(await parquetMetadataAsync(buffer)).toEqual(expectedMetadata);
          // The slices themselves, including an empty one and one that runs to the end.
          for (const [start, end] of [[0, 4], [100, 65_636], [reference.byteLength - 8, undefined], [7, 7]] as const) {
            const ours = Buffer.from(await buffer.slice(start, end));
            const theirs = Buffer.from(await reference.slice(start, end));
            expect(ours.equals(theirs), `${rt.backend}: slice(${start}, ${end})`).toBe(true);
          }
        }
      } finally {
        await file.close();
      }
    });
    expect(backends).toContain("libuv");
    // The same recipe over bytes in memory (MemoryIo is a target, not a file: no size() to ask).
    const memory = new MemoryIo(readFileSync(path));
    for (const buffer of [asyncBufferOf(memory, reference.byteLength), syncBufferOf(memory, reference.byteLength)]) {
      expect(await parquetReadObjects({ file: buffer }), "memory").toEqual(expectedRows);
    }
  });
});
