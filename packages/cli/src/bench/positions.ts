/**
 * Where each operation of a job goes: block-aligned offsets inside the job's region, sequential
 * (wrapping at the end, shared by every slot as fio's are) or uniformly random from a seeded
 * xorshift, so that runs are repeatable. randrw picks reads and writes half and half.
 */
import type { RwMode } from "./BenchSettings.js";

/** A seeded xorshift32 stream of unsigned 32-bit integers. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Offsets for `rw` over `blocks` blocks of `bs` bytes. */
export function positionSource(rw: RwMode, blocks: number, bs: number, seed: number): () => number {
  if (rw === "read" || rw === "write") {
    let next = 0;
    return () => {
      const pos = next * bs;
      next = next + 1 === blocks ? 0 : next + 1;
      return pos;
    };
  }
  const random = xorshift32(seed);
  // Two draws (53 bits, exact in a double) when a region has more than 2^32 blocks.
  if (blocks > 0xffff_ffff) return () => (((random() & 0x1f_ffff) * 0x1_0000_0000 + random()) % blocks) * bs;
  return () => (random() % blocks) * bs;
}

/** Whether each operation writes: never, always, or (randrw) half the time. */
export function writeSource(rw: RwMode, seed: number): () => boolean {
  if (rw === "randread" || rw === "read") return () => false;
  if (rw === "randwrite" || rw === "write") return () => true;
  const random = xorshift32(seed ^ 0x5bd1e995);
  return () => (random() & 1) === 1;
}

/** `count` distinct block offsets (all of them when there are fewer), for verification. */
export function sampleOffsets(count: number, blocks: number, bs: number, seed: number): number[] {
  if (blocks <= count) return Array.from({ length: blocks }, (_, block) => block * bs);
  const random = positionSource("randread", blocks, bs, seed ^ 0x2545f491);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(random());
  return [...chosen];
}
