/**
 * The generated test file: `size` bytes of a seeded xorshift32 stream, written in 8 MiB chunks and
 * flushed (fsync), so the kernel's write-back does not run during the measurements and every job
 * finds the same clean pages in the cache. Also the copy write jobs write to.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { xorshift32 } from "./positions.js";

const CHUNK = 8 * 1024 * 1024;

export function writeSeededFile(path: string, size: number, seed: number): void {
  const fd = openSync(path, "w", 0o644);
  try {
    const next = xorshift32(seed);
    const chunk = new Uint8Array(CHUNK);
    const words = new Uint32Array(chunk.buffer);
    for (let pos = 0; pos < size; pos += CHUNK) {
      for (let i = 0; i < words.length; i++) words[i] = next();
      const length = Math.min(CHUNK, size - pos);
      writeSync(fd, chunk, 0, length, pos);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Copies the first `size` bytes of `from` to a new file `to`, flushed. */
export function copyRegion(from: string, to: string, size: number): void {
  const input = openSync(from, "r");
  try {
    const output = openSync(to, "w", 0o644);
    try {
      const chunk = new Uint8Array(CHUNK);
      for (let pos = 0; pos < size; ) {
        const got = readSync(input, chunk, 0, Math.min(CHUNK, size - pos), pos);
        if (got === 0) break;
        writeSync(output, chunk, 0, got, pos);
        pos += got;
      }
      fsyncSync(output);
    } finally {
      closeSync(output);
    }
  } finally {
    closeSync(input);
  }
}
