/**
 * Latencies in a fixed log-linear histogram (HdrHistogram's layout): 64 linear sub-buckets per
 * power of two, so any percentile is within 1.6 % of the true value, in constant memory however
 * many operations a run completes.
 */

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Values are nanoseconds up to 2^32 (4.3 s); longer ones count as the largest bucket. */
const BUCKETS = (32 - SUB_BITS + 1) * SUB;

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #max = 0;

  /** Records one latency, in nanoseconds. */
  record(ns: number): void {
    const value = Math.min(Math.max(Math.round(ns), 0), 0xffff_ffff);
    this.#counts[indexOf(value)]!++;
    this.#count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  get count(): number {
    return this.#count;
  }

  /** Mean in nanoseconds (0 when empty). */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  get max(): number {
    return this.#max;
  }

  /** The value (ns) below which `fraction` of the recorded latencies lie, e.g. 0.99. */
  percentile(fraction: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.#count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.#counts[index]!;
      if (seen >= rank) return Math.min(middleOf(index), this.#max);
    }
    return this.#max;
  }
}

function indexOf(value: number): number {
  if (value < SUB) return value;
  const exponent = 31 - Math.clz32(value);
  const sub = (value >>> (exponent - SUB_BITS)) & (SUB - 1);
  return (exponent - SUB_BITS + 1) * SUB + sub;
}

/** The middle of the values that land in bucket `index`. */
function middleOf(index: number): number {
  if (index < SUB) return index;
  const exponent = Math.floor(index / SUB) + SUB_BITS - 1;
  const sub = index % SUB;
  const width = 2 ** (exponent - SUB_BITS);
  return (SUB + sub) * width + width / 2;
}
