/**
 * The read matrix's trials, after mfio-bench: sequential, reverse and random reads of 1 B,
 * 256 B and 64 KiB, with about 4 MiB in flight per round (in-flight count = 4 MiB / size,
 * capped at 16384, which is what the 1-byte trials get). A round submits all its reads at once
 * and waits for all of them.
 */

export const Patterns = ["seq", "rev", "rand"] as const;
export type Pattern = (typeof Patterns)[number];
export const Sizes = [1, 256, 65_536] as const;

const IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** One packet per byte of 4 MiB would be four million promises per round: not a read benchmark. */
export const MAX_IN_FLIGHT = 16_384;
/** The matrix's file: room for the sequential windows to move between rounds. */
export const FILE_SIZE = 32 * 1024 * 1024;

export interface Trial {
  readonly id: string;
  readonly pattern: Pattern;
  readonly size: number;
  readonly inFlight: number;
  readonly label: string;
}

const PATTERN_NAMES: Record<Pattern, string> = { seq: "sequential", rev: "reverse", rand: "random" };
const sizeName = (size: number): string => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`);

export const trials: readonly Trial[] = Patterns.flatMap((pattern) =>
  Sizes.map((size) => ({
    id: `${pattern}-${size}`,
    pattern,
    size,
    inFlight: Math.min(MAX_IN_FLIGHT, IN_FLIGHT_BYTES / size),
    label: `${PATTERN_NAMES[pattern]} ${sizeName(size)}`,
  })),
);

export function trialById(id: string): Trial | undefined {
  return trials.find((trial) => trial.id === id);
}

/**
 * The offsets of one round, in submission order. Sequential and reverse rounds cover a window
 * of `inFlight` consecutive blocks that moves on by a window each round (wrapping at the end of
 * the file); random rounds draw block-aligned offsets from a seeded xorshift.
 */
export function roundOffsets(trial: Trial, round: number, fileSize: number): Float64Array {
  const offsets = new Float64Array(trial.inFlight);
  const window = trial.inFlight * trial.size;
  const windows = Math.floor(fileSize / window);
  const base = (round % windows) * window;
  if (trial.pattern === "seq") for (let i = 0; i < offsets.length; i++) offsets[i] = base + i * trial.size;
  else if (trial.pattern === "rev") for (let i = 0; i < offsets.length; i++) offsets[i] = base + (offsets.length - 1 - i) * trial.size;
  else {
    const blocks = Math.floor(fileSize / trial.size);
    let x = (Math.imul(round + 1, 0x9e3779b1) ^ trial.size) >>> 0 || 1;
    for (let i = 0; i < offsets.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      offsets[i] = ((x >>> 0) % blocks) * trial.size;
    }
  }
  return offsets;
}
