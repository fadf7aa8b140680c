/**
 * The random-read bench's file content and positions, shared by the bench and its pinned child
 * process (`randomReadLane.ts`): every 4 KiB block is a function of a fixed seed and its index, so
 * any read can be checked, and positions are a seeded block-aligned stream.
 */
export const BLOCK = 4096;
const SEED = 0x7ead5eed;

/** Fills `out` (one 4 KiB block) with the content of block `index`: xorshift32 seeded from (SEED, index). */
export function fillBlock(index: number, out: Uint8Array): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, BLOCK / 4);
  let x = (Math.imul(index + 1, 0x9e3779b1) ^ SEED) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
}

/** A seeded stream of block-aligned positions in a file of `blocks` blocks. */
export function positionsIn(blocks: number, seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % blocks) * BLOCK;
  };
}
