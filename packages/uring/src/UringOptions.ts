/** Options of the uring backend, checked with zod (the bad key is named in the error). */
import { z } from "zod";
import { pathSlotOptions } from "@pktio/core/backend";

/** The largest registered pool: one SharedArrayBuffer, with a page to align it, under 4 GiB. */
const REGISTERED_POOL_MAX = 2 ** 32 - 2 * 4096;

export const UringOptions = z.strictObject({
  /**
   * Operations in the kernel at once; more wait in order. What matters for speed is this count,
   * not the ring's size (the lightway lesson).
   */
  maxInFlight: z.number().int().min(1).max(16_384).default(1024),
  /**
   * `maxInFlightPerFile` (64): a regular file's transfers in the ring at once, under maxInFlight;
   * more wait in the file's own queue. `maxInFlightPerStream` (2): a FIFO's or device's transfers
   * at once (fstat at open); they never take maxInFlight's records, so a read blocked on a FIFO
   * cannot starve a regular file. Sockets, which keep one receive and one send each in the ring,
   * never take them either. The same options, meanings and defaults as libuv's (design.md §8).
   */
  ...pathSlotOptions,
  /** Submission-queue entries; by default twice maxInFlight (a timed operation takes two). */
  entries: z.number().int().min(2).max(32_768).optional(),
  /**
   * IORING_SETUP_SQPOLL: a kernel thread polls the queue and runs the reads, off the JS thread; it
   * sleeps 2 ms after the last submission. Off by default: slower here (docs/benchmarks.md). If the
   * kernel refuses the flag the ring runs without it (`backend.sqpollRefused` says why).
   */
  sqpoll: z.boolean().default(false),
  /**
   * A submit thread of the addon's own per ring makes the io_uring_enter calls that submit, so the
   * kernel work a cached read does inline (its page-cache copy) runs on another core than the JS
   * thread; it spins briefly after its last submission, then sleeps. `"auto"` (the default): on
   * when this process may run on two or more CPUs (`os.availableParallelism()`) and `sqpoll` is off.
   * If the thread cannot be started the ring submits from the JS thread (`backend.submitThreadRefused`).
   */
  submitThread: z.union([z.boolean(), z.literal("auto")]).default("auto"),
  /**
   * With a submit thread: how long it keeps polling for the next batch after its last submission
   * before it sleeps, in microseconds. Longer saves wake-ups under load, shorter saves CPU
   * (docs/uring.md); like SQPOLL's sq_thread_idle, but in µs.
   */
  submitSpinUs: z.number().int().min(0).max(100_000).default(10),
  /**
   * With a submit thread: how long the JS thread, woken for completions, waits for more while the
   * thread is still inside a submitting enter (or has SQEs waiting), before it returns to the event
   * loop, in microseconds (at most 16 waits per wake-up). It saves a sleep in epoll and the
   * wake-up after for each of the thread's batches; it never waits with nothing on the way, so
   * an idle ring does not spin (docs/uring.md). 0: never waits.
   */
  completionSpinUs: z.number().int().min(0).max(1000).default(20),
  /** With `sqpoll`: the CPU the SQ thread is pinned to (IORING_SETUP_SQ_AFF); by default it floats. */
  sqThreadCpu: z.number().int().min(0).max(65_535).optional(),
  /**
   * Blocking helpers (`readAtSync`, `writeAtSync` …) on an idle ring make one pread/pwrite on the
   * calling thread instead of a submit-and-wait io_uring_enter, which costs more (design.md §9).
   * `false` sends every transfer through the ring.
   */
  directSync: z.boolean().default(true),
  /**
   * UDP sends and receives first try the socket with one non-blocking sendmsg/recvmsg on the JS
   * thread; only what would block goes to the ring (a receive waiting for a datagram, a send
   * meeting a full buffer). A datagram then costs one system call and no completion, and one
   * wake-up serves every datagram queued (docs/uring.md). `false`: every datagram through the ring.
   */
  directDatagrams: z.boolean().default(true),
  /**
   * A TCP stream's write first tries the socket with one non-blocking sendmsg on the JS thread,
   * from the caller's own bytes; what the socket's buffer does not take goes to the ring as a
   * SEND (MSG_WAITALL). A write then costs one system call and no completion (docs/uring.md).
   * `false`: every write through the ring.
   */
  directSends: z.boolean().default(true),
  /**
   * How long a close waits, after cancelling, for the kernel to let go of an operation. Past it,
   * the operation's caller is settled with kind Closed and its memory stays with the ring until
   * the completion arrives; the close resolves.
   */
  closeGraceMs: z.number().int().min(0).max(600_000).default(1000),
  /** A registered pool of page-aligned SharedArrayBuffer slices for READ_FIXED/WRITE_FIXED and O_DIRECT. */
  registeredBuffers: z
    .strictObject({
      count: z.number().int().min(1).max(1024),
      size: z.number().int().min(4096).max(2 ** 30).refine((size) => size % 4096 === 0, "must be a multiple of 4096"),
    })
    // One SharedArrayBuffer holds them all (and a page to align them): a typed array over 4 GiB
    // or more is a RangeError in Node 20, which escaped openRuntime.
    .refine(({ count, size }) => count * size <= REGISTERED_POOL_MAX, { message: `count × size must be at most ${REGISTERED_POOL_MAX} bytes (4 GiB less two pages: one SharedArrayBuffer holds them all)` })
    .optional(),
});
export type UringOptions = z.input<typeof UringOptions>;
export type ResolvedUringOptions = z.output<typeof UringOptions>;
