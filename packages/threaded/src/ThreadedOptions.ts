/**
 * Options of the threaded backend, checked with zod: unknown keys and bad values are IoError kind
 * InvalidInput naming the key (`threaded options: "ringSlots": must be a power of two`).
 */
import { z } from "zod";
import { parseOptions } from "@pktio/core/backend";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Worker threads by default, chosen by measurement rather than core count (2-core VM, Node
 * 20.20, 2026-11-21, a noisy shared host; bench/src/randomRead.ts: 4 KiB random reads at
 * 64 in flight on a page-cached 1 GiB file, the median of each run's rounds, over 4–5 runs):
 *   readAt (promises)   1 worker 166–244k reads/s, 2 workers 140–214k, 4 workers 133–226k
 *   raw sendPacket      1 worker 183–328k,         2 workers 201–331k, 4 workers 207–371k
 * On pure cached reads one worker is as good as two (the promise path is bound by the main
 * thread, and one worker leaves it the most CPU) and four is never clearly better. But one
 * worker makes every request wait behind any slow call: with a write+fsync loop running next to
 * the reads, two workers served -13 % to +52 % more reads than one in 6 paired runs (+26 % at the
 * median). Two it is.
 */
export const DEFAULT_WORKERS = 2;

const isPowerOfTwo = (value: number): boolean => value > 0 && (value & (value - 1)) === 0;

export const ThreadedOptions = z
  .strictObject({
    /**
     * Blocking helpers (`readAtSync`, `writeAtSync` …) while no request is in flight make the
     * readSync/writeSync on the calling thread: handing a call to a worker and waiting for it costs
     * an Atomics round trip (tens of µs here) for a caller that blocks either way (design.md §10).
     * `false` sends every transfer to the workers.
     */
    directSync: z.boolean().default(true),
    /** Worker threads performing the calls. Each is started on first use. */
    workers: z.number().int().min(1).max(64).default(DEFAULT_WORKERS),
    /** Entries in each worker's request ring; more requests wait on the main thread, in order. */
    ringSlots: z.number().int().min(2).max(65_536).refine(isPowerOfTwo, "must be a power of two").default(256),
    /** How long an idle worker, and a blocked caller, poll before they sleep in the kernel, in µs. */
    spinMicros: z.number().int().min(0).max(10_000).default(0),
    /** Bytes of one bounce slot: the largest piece of a transfer through a non-shared buffer. */
    bounceSlotSize: z
      .number()
      .int()
      .min(4 * KiB)
      .max(256 * MiB)
      .refine((value) => value % (4 * KiB) === 0, "must be a multiple of 4096")
      .default(128 * KiB),
    /**
     * How long close(), once it has cancelled every request no worker had taken, waits for the
     * calls still inside workers before it terminates those workers as stuck (a read of a FIFO
     * without a writer, a hung mount), in ms. Their requests fail with kind Closed.
     */
    closeTimeoutMs: z.number().int().min(1).max(3_600_000).default(2000),
    /** Most bytes the bounce arena grows to (it is allocated on first use, in chunks), a whole number of slots. */
    bounceArenaSize: z
      .number()
      .int()
      .min(4 * KiB)
      .max(4 * 1024 * MiB)
      .default(8 * MiB),
  })
  .superRefine((options, context) => {
    if (options.bounceArenaSize < options.bounceSlotSize || options.bounceArenaSize % options.bounceSlotSize !== 0) {
      context.addIssue({
        code: "custom",
        path: ["bounceArenaSize"],
        message: `must be a whole number (at least 1) of bounceSlotSize (${options.bounceSlotSize}) slots`,
      });
    }
  });
export type ThreadedOptions = z.input<typeof ThreadedOptions>;
export type ResolvedThreadedOptions = z.output<typeof ThreadedOptions>;

export function resolveThreadedOptions(options: unknown): ResolvedThreadedOptions {
  return parseOptions(ThreadedOptions, options, "threaded options");
}
