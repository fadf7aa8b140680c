/**
 * Reads a file through the packet API: 4 KiB random reads with 64 packets in flight, each checked
 * against the file's bytes, then the whole file through `readToEnd`.
 * Usage: pnpm example [FILE]   (default: a seeded 64 MiB file in a temp dir, removed after)
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readExactAt, readToEnd } from "@pktio/core";
import { CallbackFileIo } from "./CallbackFileIo.js";

const BLOCK = 4096;
const IN_FLIGHT = 64;
const READS = 100_000;

let path = process.argv[2];
let tempDir: string | undefined;
if (path === undefined) {
  tempDir = mkdtempSync(join(tmpdir(), "pktio-example-"));
  path = join(tempDir, "data.bin");
  const bytes = new Uint8Array(64 * 1024 * 1024);
  let x = 0x2545f491;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  writeFileSync(path, bytes);
}

const expected = readFileSync(path);
if (expected.length < BLOCK) throw new Error(`${path} is smaller than ${BLOCK} bytes`);
const fd = openSync(path, "r");
const file = new CallbackFileIo(fd);
try {
  let next = 0;
  let seed = 1;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    const dst = new Uint8Array(BLOCK);
    while (next++ < READS) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const pos = (seed % Math.floor(expected.length / BLOCK)) * BLOCK;
      await readExactAt(file, pos, dst);
      if (Buffer.compare(dst, expected.subarray(pos, pos + BLOCK)) !== 0) throw new Error(`mismatch at ${pos}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(`${READS} random ${BLOCK}-byte reads, ${IN_FLIGHT} in flight, verified: ${Math.round(READS / seconds)} reads/s`);
  const whole = await readToEnd(file);
  console.log(`readToEnd: ${whole.length} bytes, ${Buffer.compare(whole, expected) === 0 ? "identical to" : "DIFFERENT from"} fs.readFileSync`);
} finally {
  closeSync(fd);
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
}
