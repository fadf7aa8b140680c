/**
 * Recipe: hyparquet reads a parquet file from a pktio file through its `AsyncBuffer` (a byte
 * length and a `slice(start, end)`). `readRange` gives a fresh buffer per slice, so the slice is
 * its `.buffer` with no copy; the sync form answers `slice` synchronously (hyparquet accepts a
 * plain ArrayBuffer as well as a promise). docs/integrations.md.
 */
import { readRange, readRangeSync, type FileHandle, type ReadTarget } from "@pktio/core";
import type { AsyncBuffer } from "hyparquet";

/** An AsyncBuffer over `byteLength` bytes of any pktio target: a file, a MemoryIo, … */
export function asyncBufferOf(target: ReadTarget, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    // readRange's buffer starts at 0 and is exactly as long as the range (short only at the end).
    slice: async (start, end = byteLength) => (await readRange(target, start, end - start)).buffer as ArrayBuffer,
  };
}

/** The same over the blocking calls: each slice is one `readRangeSync`. */
export function syncBufferOf(target: ReadTarget, byteLength: number): AsyncBuffer {
  return { byteLength, slice: (start, end = byteLength) => readRangeSync(target, start, end - start).buffer as ArrayBuffer };
}

/** An AsyncBuffer over the whole file (its size now). */
export async function asyncBufferFromPktio(file: FileHandle): Promise<AsyncBuffer> {
  return asyncBufferOf(file, await file.size());
}
