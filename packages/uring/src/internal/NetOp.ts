/**
 * One socket operation on the ring: the record the backend keeps in its slot (so its buffer and
 * side area stay alive until the completion, whatever JS does) and its completion. A close
 * that stopped waiting answers it with ABANDONED; the kernel's real answer comes through `late`.
 */
import type { Cancellable, Operation, Ticket } from "../UringBackend.js";

/** MSG_WAITALL: a short send then means an error, not a retry loop in JS; MSG_NOSIGNAL: EPIPE, not SIGPIPE. */
export const SEND_FLAGS = 0x100 | 0x4000;
export const MSG_TRUNC = 0x20;
/** The side area's layout (native/include/pktio_uring.h): the address, and msg_flags in the msghdr (LP64). */
export const NET_AREA = 256;
export const NET_ADDR_OFFSET = 96;
export const MSGHDR_FLAGS_OFFSET = 48;
export const ECANCELED = -125;
/**
 * IORING_RECVSEND_POLL_FIRST (Linux 5.19): a RECV arms its poll at once instead of first trying
 * the socket, for a socket known to be drained (older kernels answer -EINVAL).
 */
export const RECV_POLL_FIRST = 1;
export const EINVAL = -22;
/** -EAGAIN: a direct socket call (`socketNow`) would block; the ring takes it. */
export const EAGAIN = -11;

export class NetOp implements Operation, Cancellable {
  ticket: Ticket | undefined = undefined;
  readonly offset = 0;
  /**
   * A LINK_TIMEOUT for a transfer (send, recv): the kernel cancels it after this many ms. What
   * bounds a sync call, whose JS timers cannot run while the thread waits in the ring.
   */
  timeoutMs: number | undefined = undefined;

  constructor(
    readonly opcode: number,
    readonly fd: number,
    readonly length: number,
    /** msg_flags (send, recv), `how` (shutdown). */
    readonly aux: number,
    /** The address length (sendmsg, connect); io_uring's send/recv flags (`RECV_POLL_FIRST`) for send and recv. */
    readonly aux2: number,
    readonly buffer: Uint8Array | undefined,
    readonly buffer2: Uint8Array | undefined,
    readonly done: (result: number) => void,
    readonly lateDone?: (result: number) => void,
  ) {}

  complete(result: number): void {
    this.done(result);
  }

  late(result: number): void {
    this.lateDone?.(result);
  }
}
