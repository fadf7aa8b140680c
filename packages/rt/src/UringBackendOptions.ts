/**
 * The uring backend's options as rt's types spell them. @pktio/uring is an optional dependency
 * (npm skips it off Linux and with --omit=optional), so rt's declarations may not import its
 * types: a consumer without it failed to type-check (TS2307). This is the same shape, written
 * out; test/types.test.ts checks both ways that it equals `UringOptions` of @pktio/uring.
 * @pktio/uring validates the values (zod) when the backend opens.
 */
export interface UringBackendOptions {
  /** Operations in the kernel at once; more wait in order (1024). */
  readonly maxInFlight?: number | undefined;
  /** A regular file's transfers in the ring at once (64). */
  readonly maxInFlightPerFile?: number | undefined;
  /** A FIFO's or device's transfers at once (2). */
  readonly maxInFlightPerStream?: number | undefined;
  /** Submission-queue entries (twice maxInFlight). */
  readonly entries?: number | undefined;
  /** IORING_SETUP_SQPOLL (off). */
  readonly sqpoll?: boolean | undefined;
  /** A submit thread per ring ("auto": with two or more CPUs). */
  readonly submitThread?: boolean | "auto" | undefined;
  /** The submit thread's spin after its last submission, in µs (10). */
  readonly submitSpinUs?: number | undefined;
  /** With a submit thread: how long a wake-up for completions waits for the thread's next ones, in µs (20). */
  readonly completionSpinUs?: number | undefined;
  /** With sqpoll: the CPU the SQ thread is pinned to. */
  readonly sqThreadCpu?: number | undefined;
  /** Blocking helpers on an idle ring make one pread/pwrite on the calling thread (true). */
  readonly directSync?: boolean | undefined;
  /** UDP tries the socket first (true). */
  readonly directDatagrams?: boolean | undefined;
  /** TCP writes try the socket first (true). */
  readonly directSends?: boolean | undefined;
  /** How long a close waits for the kernel to let go of an operation, in ms (1000). */
  readonly closeGraceMs?: number | undefined;
  /** A registered pool of page-aligned slices for READ_FIXED/WRITE_FIXED and O_DIRECT. */
  readonly registeredBuffers?: { readonly count: number; readonly size: number } | undefined;
}
