/**
 * A TCP stream on the ring: RECV and SEND (MSG_WAITALL) on a blocking-mode socket, SHUTDOWN and
 * CLOSE as ring operations. A receive goes straight into the packet's own bytes when they cannot
 * be detached (a SharedArrayBuffer); other buffers go through the stream's private receive and
 * send buffers (64 KiB), as files go through the bounce arena (design.md §4). A write first tries
 * the socket with one non-blocking sendmsg from the caller's bytes (`directSends`); only what the
 * socket's buffer does not take becomes a SEND.
 *
 * Invariants:
 * - One RECV and one SEND in flight per stream, and no direct send while a SEND is: the kernel
 *   never reorders or interleaves a stream's bytes, and reads and writes each settle in the order
 *   they were sent.
 * - The slot of an operation owns its buffers until the completion; the fd is closed (CLOSE on
 *   the ring) only after both directions' operations and every SHUTDOWN completed. The kernel
 *   always runs a SHUTDOWN on its worker threads and looks its fd up only there, so a CLOSE
 *   submitted before it completes would let it shut down whatever socket reuses the number.
 * - A receive whose caller left (signal, deadline) is cancelled; if the kernel had already
 *   filled it, the bytes are kept for the next read: none are lost.
 * - Every view settles once: it leaves its queue (or the in-flight field) before it is settled.
 */
import { ByteStream, IoError, type AnyStreamView, type BoundPacketView, type Read, type ShutdownHow, type SocketAddress, type Write } from "@pktio/core";
import { abortError, detachedError, Fifo, fromSocketErrno, settleShortRead } from "@pktio/core/backend";
import { isUndetachable } from "./internal/BounceArena.js";
import { EAGAIN, ECANCELED, EINVAL, NetOp, RECV_POLL_FIRST, SEND_FLAGS } from "./internal/NetOp.js";
import { decodeSockaddr } from "./internal/sockaddr.js";
import { ABANDONED, CLOSED, type UringBackend } from "./UringBackend.js";

/** The private receive and send buffers of a stream (the pieces of a bounced transfer). */
export const STREAM_PIECE = 64 * 1024;
const SHUT_RD = 0;
const SHUT_WR = 1;
const SHUT_RDWR = 2;

export class UringStream extends ByteStream {
  readonly backend: UringBackend;
  readonly fd: number;
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
  readonly #reads = new Fifo<BoundPacketView<Write>>();
  readonly #writes = new Fifo<BoundPacketView<Read>>();
  /** Bytes a receive brought in after its caller left: the next reads get them first. */
  readonly #carry = new Fifo<Uint8Array>();
  #recv: { op: NetOp; view: BoundPacketView<Write> | undefined } | undefined = undefined;
  #send: { op: NetOp; view: BoundPacketView<Read> | undefined } | undefined = undefined;
  #recvBuffer: Uint8Array | undefined = undefined;
  #sendBuffer: Uint8Array | undefined = undefined;
  #ended = false;
  /** The last receive took fewer bytes than it asked for: the socket was empty after it. */
  #drained = false;
  #readShut = false;
  #writeShut = false;
  /** shutdown("write" | "both") was called: later writes fail BrokenPipe. */
  #writeShutWanted = false;
  #error: IoError | undefined = undefined;
  #writeShutdown: Promise<void> | undefined = undefined;
  #drainedWrites: (() => void) | undefined = undefined;
  #closed: (() => void) | undefined = undefined;
  /** SHUTDOWNs submitted and not yet completed: the fd stays open for them (see the invariants). */
  #shutdowns = 0;
  /** The CLOSE was submitted: it happens once. */
  #fdReleased = false;
  readonly #untrack: () => void;
  readonly #onAbort = (): void => this.#dropAborted();

  /** Adopts a connected socket; throws kind Closed if the runtime is closed (the caller closes the fd). */
  constructor(backend: UringBackend, fd: number, remote?: SocketAddress) {
    super();
    this.backend = backend;
    this.#untrack = backend.track(this);
    this.fd = fd;
    const name = new Uint8Array(128);
    this.localAddress = backend.socketName(fd, false, name) > 0 ? decodeSockaddr(name) : undefined;
    this.remoteAddress = remote ?? (backend.socketName(fd, true, name) > 0 ? decodeSockaddr(name) : undefined);
  }

  protected submit(view: AnyStreamView): void {
    const signal = view.packet.signal;
    if (view.perm.backendWrites) {
      this.#reads.push(view as BoundPacketView<Write>);
      signal?.addEventListener("abort", this.#onAbort, { once: true });
      this.#pumpReads();
    } else if (this.#writeShutWanted) {
      // Called after shutdown("write"): the FIN goes after the writes made before it, not this one.
      view.fail(new IoError("BrokenPipe", "the stream's write side is shut down", { op: "write", backend: "uring" }));
    } else {
      this.#writes.push(view as BoundPacketView<Read>);
      signal?.addEventListener("abort", this.#onAbort, { once: true });
      this.#pumpWrites();
    }
  }

  /** Queued views whose signal fired leave now; an in-flight receive is cancelled (its bytes, if any, are kept). */
  #dropAborted(): void {
    for (const view of this.#reads.removeWhere((read) => read.packet.signal?.aborted === true)) view.fail(abortError(view.packet.signal as AbortSignal, "read", "uring"));
    for (const view of this.#writes.removeWhere((write) => write.packet.signal?.aborted === true)) view.fail(abortError(view.packet.signal as AbortSignal, "write", "uring"));
    if (this.#recv?.view?.packet.signal?.aborted === true) this.backend.cancel(this.#recv.op);
  }

  #pumpReads(): void {
    while (this.#recv === undefined) {
      const view = this.#reads.peek();
      if (view === undefined) return;
      // A write's error (EPIPE, a reset met by a send) leaves the reads to the kernel: what the
      // peer sent before it is still in the receive queue, and the kernel says when it is not.
      if (this.#error !== undefined && this.#error.op !== "write") return this.#failReads(this.#errorFor("read"));
      const carried = this.#carry.peek();
      // Detached while it waited: it fails, and carried bytes stay for the next read.
      if (view.detached) {
        this.#reads.shift();
        view.fail(detachedError("read", "uring", "before it started"));
        continue;
      }
      if (carried !== undefined) {
        this.#reads.shift();
        this.#fill(view, carried);
        continue;
      }
      if (this.#ended || this.#readShut) return this.#failReads(eof(this.#readShut ? "the stream's read side was shut down" : "the peer ended the stream"));
      if (view.length === 0) {
        this.#reads.shift();
        view.complete();
        continue;
      }
      this.#reads.shift();
      this.#armRecv(view, this.#drained && this.backend.recvPollFirst);
    }
  }

  /**
   * One RECV for `view`, into its own bytes or the private buffer. `pollFirst`: the last receive
   * emptied the socket, so the kernel skips its first try (it would find nothing) and arms the
   * poll at once; request/response traffic meets an empty socket at nearly every read.
   */
  #armRecv(view: BoundPacketView<Write>, pollFirst: boolean): void {
    const own = view.bytes();
    const direct = isUndetachable(own);
    const buffer = direct ? own : (this.#recvBuffer ??= new Uint8Array(STREAM_PIECE));
    const length = Math.min(view.length, buffer.byteLength);
    const op = new NetOp(this.backend.opcodes.RECV, this.fd, length, 0, pollFirst ? RECV_POLL_FIRST : 0, buffer, undefined, (result) => this.#received(op, result));
    op.timeoutMs = view.packet.timeoutMs;
    this.#recv = { op, view };
    this.backend.submit(op, op);
  }

  /** Copies carried bytes into `view` (all of them, or as many as fit). */
  #fill(view: BoundPacketView<Write>, carried: Uint8Array): void {
    const count = Math.min(view.length, carried.byteLength);
    view.bytes().set(carried.subarray(0, count));
    if (count === carried.byteLength) this.#carry.shift();
    else this.#carry.drain().forEach((rest, i) => this.#carry.push(i === 0 ? rest.subarray(count) : rest));
    settleShortRead(view, count, "uring");
  }

  #received(op: NetOp, result: number): void {
    const view = this.#recv?.view;
    this.#recv = undefined;
    if (result === EINVAL && op.aux2 !== 0 && view !== undefined && !this.closed && view.packet.signal?.aborted !== true && !view.detached) {
      // A kernel before 5.19 refuses IORING_RECVSEND_POLL_FIRST: the same receive again, without it.
      this.backend.refuseRecvPollFirst();
      return this.#armRecv(view, false);
    }
    // Fewer bytes than asked for: the socket had no more, and the next receive will likely wait.
    this.#drained = result < op.length;
    if (result > 0) {
      const bytes = (op.buffer as Uint8Array).subarray(0, result);
      if (view === undefined || view.packet.signal?.aborted === true) {
        // The caller left (or the stream closed) after the kernel took the bytes: keep them.
        if (!this.closed) this.#carry.push(bytes.slice());
        if (view !== undefined) view.fail(abortError(view.packet.signal as AbortSignal, "read", "uring"));
      } else if (view.detached) {
        // Detached while the kernel filled the private buffer: the bytes stay for the next read.
        if (!this.closed) this.#carry.push(bytes.slice());
        view.fail(detachedError("read", "uring", "while the read was in flight"));
      } else {
        if (op.buffer !== view.packet.bytes) view.bytes().set(bytes);
        settleShortRead(view, result, "uring");
      }
    } else if (result === 0) {
      this.#ended = true;
      view?.fail(eof(this.#readShut ? "the stream's read side was shut down" : "the peer ended the stream"));
    } else {
      const error = this.#resultError(result, "read", view, op);
      if (result !== ECANCELED && result !== CLOSED && result !== ABANDONED) this.#error ??= error;
      view?.fail(error);
    }
    this.#afterOp();
    this.#pumpReads();
  }

  #pumpWrites(): void {
    while (this.#send === undefined) {
      let view = this.#writes.shift();
      if (view === undefined) return this.#drainedWrites?.();
      const signal = view.packet.signal;
      if (signal?.aborted === true) {
        view.fail(abortError(signal, "write", "uring"));
        continue;
      }
      if (this.#error !== undefined) {
        view.fail(this.#errorFor("write"));
        continue;
      }
      if (this.#writeShut) {
        view.fail(new IoError("BrokenPipe", "the stream's write side is shut down", { op: "write", backend: "uring" }));
        continue;
      }
      if (view.length === 0) {
        view.complete();
        continue;
      }
      if (view.detached) {
        // A tail: the head of the caller's buffer went out before it was detached.
        view.fail(detachedError("write", "uring", view.start > 0 ? `after ${view.start} of its bytes were sent` : "before it was sent"));
        continue;
      }
      // The socket first, from the caller's own bytes (no JS runs during the call, so even memory
      // that can be detached is safe); only what its buffer does not take goes to the ring. No
      // SEND is in flight here, so the stream's bytes stay in order.
      const now = this.backend.sendNow(this.fd, view.bytes(), view.length);
      if (now !== undefined && now !== EAGAIN) {
        if (now === view.length) {
          view.complete();
          continue;
        }
        if (now < 0) {
          const error = this.#resultError(now, "write", view);
          this.#error ??= error;
          view.fail(error);
          continue;
        }
        const [head, tail] = view.splitAt(now);
        head.complete();
        view = tail;
      }
      const own = view.bytes();
      const direct = isUndetachable(own);
      const buffer = direct ? own : (this.#sendBuffer ??= new Uint8Array(STREAM_PIECE));
      const length = Math.min(view.length, buffer.byteLength);
      let piece = view;
      if (length < view.length) {
        // A bounced write larger than the buffer goes in pieces, one after another.
        const [head, tail] = view.splitAt(length);
        piece = head;
        this.#pushFront(tail);
      }
      if (!direct) buffer.set(piece.bytes());
      const op = new NetOp(this.backend.opcodes.SEND, this.fd, length, SEND_FLAGS, 0, buffer, undefined, (result) => this.#sent(op, result));
      op.timeoutMs = piece.packet.timeoutMs;
      this.#send = { op, view: piece };
      this.backend.submit(op, op);
    }
  }

  #pushFront(view: BoundPacketView<Read>): void {
    const rest = this.#writes.drain();
    this.#writes.push(view);
    for (const next of rest) this.#writes.push(next);
  }

  #sent(op: NetOp, result: number): void {
    const view = this.#send?.view;
    this.#send = undefined;
    if (view !== undefined) {
      if (result === view.length) view.complete();
      else if (result >= 0 && op.timeoutMs !== undefined && view.packet.signal?.aborted !== true) {
        // Its LINK_TIMEOUT cut the send short (a peer that reads nothing): what went out counts,
        // the rest fails TimedOut (the JS deadline could not fire: a sync call blocks the thread).
        const timedOut = this.#resultError(ECANCELED, "write", view, op);
        if (result === 0) view.fail(timedOut);
        else {
          const [head, tail] = view.splitAt(result);
          head.complete();
          tail.fail(timedOut);
        }
        this.#failPieces(view, timedOut);
      } else if (result >= 0) {
        // Short only when a signal interrupted MSG_WAITALL: the rest goes again, first.
        const [head, tail] = view.splitAt(result);
        head.complete();
        this.#pushFront(tail);
      } else {
        const error = this.#resultError(result, "write", view, op);
        if (result !== ECANCELED && result !== CLOSED && result !== ABANDONED) this.#error ??= error;
        view.fail(error);
        if (error.kind === "TimedOut") this.#failPieces(view, error);
      }
    }
    this.#afterOp();
    this.#pumpWrites();
  }

  /** The packet's other pieces (a bounced write goes in 64 KiB pieces) fail with the one that timed out. */
  #failPieces(view: BoundPacketView<Read>, error: IoError): void {
    for (const rest of this.#writes.removeWhere((queued) => queued.packet === view.packet)) rest.fail(error);
  }

  #resultError(result: number, op: "read" | "write", view: AnyStreamView | undefined, netOp?: NetOp): IoError {
    const signal = view?.packet.signal;
    if (result === ECANCELED && signal?.aborted === true) return abortError(signal, op, "uring");
    // Cancelled by its LINK_TIMEOUT before the JS deadline fired (a sync call: no timer runs).
    if (result === ECANCELED && netOp?.timeoutMs !== undefined && view !== undefined && !this.closed) {
      return new IoError("TimedOut", `${op} did not complete within ${netOp.timeoutMs} ms`, { op, backend: "uring" });
    }
    if (result === ECANCELED || result === CLOSED || result === ABANDONED || this.closed) return closedError(op);
    // node:net's text on the other backends: `read ECONNRESET`, `write EPIPE`.
    return fromSocketErrno(result, { op, backend: "uring" });
  }

  /** The sticky error as `op` meets it. */
  #errorFor(op: "read" | "write"): IoError {
    const error = this.#error as IoError;
    if (error.op === op || error.errno === undefined) return error;
    return fromSocketErrno(error.code, { op, backend: "uring", cause: error });
  }

  #failReads(error: IoError): void {
    for (let view = this.#reads.shift(); view !== undefined; view = this.#reads.shift()) view.fail(error);
  }

  async shutdown(how: ShutdownHow): Promise<void> {
    if (how !== "read" && how !== "write" && how !== "both") {
      throw new IoError("InvalidInput", `shutdown: how must be "read", "write" or "both", got ${typeof how === "string" ? JSON.stringify(how) : String(how)}`, { op: "shutdown", backend: "uring" });
    }
    if (this.closed) throw closedError("shutdown");
    // Writes made from now on fail BrokenPipe (the calls' order is the bytes' order).
    if (how !== "read") this.#writeShutWanted = true;
    if (how !== "write" && !this.#readShut) {
      this.#readShut = true;
      this.#carry.drain();
      this.#failReads(eof("the stream's read side was shut down"));
      await this.#shutdownOp(SHUT_RD);
    }
    if (how !== "read") await this.#shutWrite();
  }

  /** FIN after the writes already queued. */
  #shutWrite(): Promise<void> {
    this.#writeShutdown ??= (async () => {
      if (this.#send !== undefined || this.#writes.length > 0) await new Promise<void>((resolve) => (this.#drainedWrites = resolve));
      this.#drainedWrites = undefined;
      // close() ended the wait: the writes before the FIN failed Closed, and so does the shutdown.
      if (this.closed) throw closedError("shutdown");
      this.#writeShut = true;
      if (this.#error !== undefined) throw this.#errorFor("write");
      await this.#shutdownOp(SHUT_WR);
    })();
    return this.#writeShutdown;
  }

  #shutdownOp(how: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#submitShutdown(how, (result) => {
        // ENOTCONN: the peer is gone already; the direction is shut all the same.
        if (result >= 0 || result === -107) resolve();
        else reject(this.#resultError(result, "write", undefined));
      });
    });
  }

  /** Submits a SHUTDOWN that the fd's close waits for. */
  #submitShutdown(how: number, done: (result: number) => void): void {
    this.#shutdowns++;
    const op = new NetOp(this.backend.opcodes.SHUTDOWN, this.fd, 0, how, 0, undefined, undefined, (result) => {
      this.#shutdowns--;
      try {
        done(result);
      } finally {
        this.#afterOp();
      }
    });
    this.backend.submit(op, op);
  }

  /** Nothing of this stream is in the kernel any more: its fd may be closed. */
  #idle(): boolean {
    return this.#recv === undefined && this.#send === undefined && this.#shutdowns === 0;
  }

  /** An operation completed: a close waiting for the last one closes the fd now. */
  #afterOp(): void {
    if (this.#closed !== undefined && this.#idle()) this.#closeFd();
  }

  /**
   * Fails pending reads and writes with kind Closed at once; in-flight operations are cancelled
   * (a SHUTDOWN makes a blocked receive return), and the fd is closed after their completions.
   */
  protected closeStream(): Promise<void> {
    const closed = closedError("close");
    this.#carry.drain();
    this.#failReads(closed);
    for (let view = this.#writes.shift(); view !== undefined; view = this.#writes.shift()) view.fail(closed);
    const inFlight = [this.#recv, this.#send];
    for (const entry of inFlight) {
      const view = entry?.view;
      if (entry !== undefined) entry.view = undefined;
      view?.fail(closedError(view.perm.backendWrites ? "read" : "write"));
    }
    this.#drainedWrites?.();
    return new Promise<void>((resolve) => {
      this.#closed = resolve;
      if (this.#idle()) return this.#closeFd();
      // Only a receive or a send blocks: a SHUTDOWN makes them return (a lone pending SHUTDOWN is just waited for).
      if (this.#recv === undefined && this.#send === undefined) return;
      this.#submitShutdown(SHUT_RDWR, () => undefined);
      for (const entry of inFlight) if (entry !== undefined) this.backend.cancel(entry.op);
    });
  }

  #closeFd(): void {
    if (this.#fdReleased) return;
    this.#fdReleased = true;
    const done = this.#closed as () => void;
    this.backend.closeSocketFd(this.fd, () => {
      this.#untrack();
      done();
    });
  }
}


function eof(message: string): IoError {
  return new IoError("UnexpectedEof", message, { op: "read", backend: "uring" });
}

function closedError(op: string): IoError {
  return new IoError("Closed", "the stream was closed", { op, backend: "uring" });
}
