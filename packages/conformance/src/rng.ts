/** Seeded pseudo-random numbers and bytes, so every fixture and fault plan is reproducible. */

/** mulberry32: a small, fast 32-bit generator; good enough for fixtures and fault plans. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in [min, max). */
  int(min: number, max: number): number {
    return min + Math.floor((this.nextU32() / 2 ** 32) * (max - min));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.nextU32() / 2 ** 32 < p;
  }
}

/** `size` pseudo-random bytes from `seed`; the same seed gives the same bytes on every machine. */
export function seededBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const words = new Uint32Array(bytes.buffer, 0, size >>> 2);
  // xorshift32 fills 4 bytes a step: 64 MiB in well under a second.
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
