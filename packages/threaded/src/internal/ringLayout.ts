/**
 * The shared memory the main thread and the workers talk through, drawn once. Both sides index
 * it with the numbers in `RingLayout` (the worker receives the same object in its workerData),
 * so this module is the only place a word's meaning is defined.
 *
 * control SharedArrayBuffer, seen as Int32Array `i32` and Float64Array `f64` over the same bytes
 *
 *   byte 0     ┌ global line (64 B) ──────────────────────────────────────────────────────────┐
 *              │ [0] COMPLETIONS   +1 by a worker per completed entry; the main thread waits   │
 *              │                   on it (Atomics.waitAsync between turns, Atomics.wait when   │
 *              │                   blocking)                                                   │
 *              │ [1] MAIN_WAITING  1 while the main thread is (about to be) waiting; set and   │
 *              │                   cleared by the main thread only; a worker that completes an │
 *              │                   entry while it is 1 notifies COMPLETIONS                    │
 *              └───────────────────────────────────────────────────────────────────────────────┘
 *   byte 64    ┌ worker 0 ─────────────────────────────────────────────────────────────────────┐
 *              │ submit line (64 B, written only by the main thread)                           │
 *              │   [+0]  TAIL      entries submitted (u32, wraps); the worker Atomics.waits on │
 *              │                   it, so it is also the worker's wake-up word                 │
 *              │ progress line (64 B, written only by the worker, except after its death)     │
 *              │   [+16] HEAD      entries completed (u32, wraps)                              │
 *              │   [+17] SLEEPING  1 while the worker is (about to be) waiting on TAIL         │
 *              │   [+18] STARTED   the position it is performing; == HEAD while one is under   │
 *              │                   way (the entry a death interrupted)                         │
 *              │   [+19] STATE     0 spawning, 1 running, 2 exited (its process 'exit' ran)    │
 *              │   [+20] TID       its Linux thread id, to see a terminated thread is gone     │
 *              │ ring: RING_SLOTS entries of 64 B; position p lives in entry p & (RING_SLOTS-1) │
 *              │   i32 words  [0] OP  [1] FD  [2] LENGTH  [3] BUFFER  [4] RESULT  [5] ERRNO      │
 *              │   i32 word   [6] CLAIM  0 queued; the worker swaps it to 1 (taken) before it     │
 *              │                   performs the entry, the main thread to 2 (cancelled) to     │
 *              │                   cancel it: whoever swaps first decides                      │
 *              │   i32 words  [8-9]   f64 POSITION (file offset; the length for truncate)      │
 *              │   i32 words [10-11]  f64 OFFSET   (byte offset of the target inside BUFFER)   │
 *              ├ worker 1 … (same block, `workerStride` words further)                        │
 *
 *   BUFFER: 0 none, ≥ 1 a SharedArrayBuffer (a user's, or a chunk of the bounce arena)
 *   registered with that worker through its MessagePort before the first entry that names it.
 *
 * The bounce arena (internal/BounceArena.ts) is a set of such shared buffers, grown on demand;
 * the main thread copies into a slot before a write and out of it after a read.
 *
 * Ordering: a side writes an entry's plain words, then publishes them with an Atomics store of
 * TAIL (main) or HEAD (worker); the other side reads them after an Atomics load of that counter.
 * Counters wrap at 2^32 and are only compared for equality or subtracted with `| 0`, so a ring
 * never holds more than RING_SLOTS entries between the worker's HEAD and the main thread's TAIL.
 * CLAIM is the one word both sides write, each with a compare-and-swap from 0, so an entry is
 * either performed or cancelled, never both, and a cancelled entry's buffer is never touched.
 */

/** Operation codes of an entry's OP word. */
export const Op = {
  /** pread into the target; RESULT = bytes read (one call: short only at the end of the file). */
  Read: 1,
  /** pwrite from the target, repeated until all is written; RESULT = bytes written. */
  Write: 2,
  /** fsync, or fdatasync when POSITION is FSYNC_DATA. */
  Fsync: 3,
  /** ftruncate to POSITION. */
  Truncate: 4,
  Close: 5,
  /** A path or metadata operation whose arguments and reply travel through the worker's port. */
  Meta: 6,
  /** Test hook: the worker exits with code LENGTH while performing this entry. */
  ExitForTest: 7,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

/** The POSITION of an Fsync entry that asks for fdatasync (0 asks for fsync). */
export const FSYNC_DATA = 1;

/** The value of an entry's BUFFER word for no buffer; registered buffer ids start above it. */
export const BUFFER_NONE = 0;
export const FIRST_SHARED_ID = 1;

/** Values of an entry's CLAIM word. */
export const Claim = { Queued: 0, Taken: 1, Cancelled: 2 } as const;

/** ERRNO value for a failure that was not an OS error (a bug in the worker); never a real errno. */
export const ERRNO_INTERNAL = -1;

/** Values of a worker's STATE word. */
export const WorkerState = { Spawning: 0, Running: 1, Exited: 2 } as const;

/** Everything a side needs to find a word, as plain numbers (it travels in workerData). */
export interface RingLayout {
  readonly ringSlots: number;
  /** How long a worker whose ring ran dry polls TAIL before it sleeps, in µs (0: never). */
  readonly spinMicros: number;
  readonly completions: number;
  readonly mainWaiting: number;
  /** Int32 index of worker 0's block, and the distance between two workers' blocks. */
  readonly firstWorker: number;
  readonly workerStride: number;
  /** Offsets inside a worker block, in Int32 words. */
  readonly tail: number;
  readonly head: number;
  readonly sleeping: number;
  readonly started: number;
  readonly state: number;
  readonly tid: number;
  readonly ring: number;
  /** Entry size in Int32 words, and the word offsets inside an entry. */
  readonly entryWords: number;
  readonly op: number;
  readonly fd: number;
  readonly length: number;
  readonly buffer: number;
  readonly result: number;
  readonly errno: number;
  readonly claim: number;
  /** Float64 word offsets inside an entry: entry `e` (an Int32 index, a multiple of 16) has its f64 words at `(e >> 1) + position`. */
  readonly position: number;
  readonly offset: number;
  readonly ops: typeof Op;
  readonly states: typeof WorkerState;
  readonly claims: typeof Claim;
  readonly errnoInternal: number;
  /** Bytes of the control buffer. */
  readonly byteLength: number;
}

const LINE = 16; // Int32 words in a 64-byte cache line
const ENTRY_WORDS = 16;

export function ringLayout(workers: number, ringSlots: number, spinMicros: number): RingLayout {
  const workerStride = 2 * LINE + ringSlots * ENTRY_WORDS;
  return {
    ringSlots,
    spinMicros,
    completions: 0,
    mainWaiting: 1,
    firstWorker: LINE,
    workerStride,
    tail: 0,
    head: LINE,
    sleeping: LINE + 1,
    started: LINE + 2,
    state: LINE + 3,
    tid: LINE + 4,
    ring: 2 * LINE,
    entryWords: ENTRY_WORDS,
    op: 0,
    fd: 1,
    length: 2,
    buffer: 3,
    result: 4,
    errno: 5,
    claim: 6,
    position: 4,
    offset: 5,
    ops: Op,
    states: WorkerState,
    claims: Claim,
    errnoInternal: ERRNO_INTERNAL,
    byteLength: (LINE + workers * workerStride) * 4,
  };
}

/** Int32 index of worker `index`'s block. */
export function workerBase(layout: RingLayout, index: number): number {
  return layout.firstWorker + index * layout.workerStride;
}
