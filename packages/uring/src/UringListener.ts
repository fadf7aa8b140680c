/**
 * A TCP listener on the ring: ACCEPT on a blocking-mode listening socket, armed while an
 * `accept()` waits (an idle listener holds nothing in the kernel, so it keeps neither the ring
 * busy nor the process alive; connections wait in the kernel's backlog). Single-shot ACCEPT,
 * re-armed per connection: multishot ACCEPT (5.19) answers many CQEs to one slot, which the
 * ring's one-completion-per-slot records do not express yet (docs/uring.md).
 */
import { IoError, type SocketAddress, type TcpListener } from "@pktio/core";
import { acceptEach, Fifo, fromSocketErrno } from "@pktio/core/backend";
import { ECANCELED, NET_ADDR_OFFSET, NET_AREA, NetOp } from "./internal/NetOp.js";
import { decodeSockaddr } from "./internal/sockaddr.js";
import { ABANDONED, CLOSED, type UringBackend } from "./UringBackend.js";
import { UringStream } from "./UringStream.js";

interface Waiter {
  resolve(stream: UringStream): void;
  reject(error: IoError): void;
}

export class UringListener implements TcpListener {
  readonly backend: UringBackend;
  readonly address: SocketAddress;
  readonly fd: number;
  readonly #waiters = new Fifo<Waiter>();
  #accepting: NetOp | undefined = undefined;
  #closing: Promise<void> | undefined = undefined;
  #closed: (() => void) | undefined = undefined;
  readonly #untrack: () => void;

  /** Takes a listening socket; throws kind Closed if the runtime is closed (the caller closes the fd). */
  constructor(backend: UringBackend, fd: number, address: SocketAddress) {
    this.backend = backend;
    this.#untrack = backend.track(this);
    this.fd = fd;
    this.address = address;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The next connection; kind Closed once the listener is closed. */
  accept(): Promise<UringStream> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#arm();
    });
  }

  /** Yields each incoming connection until the listener is closed; breaking out leaves it open. */
  [Symbol.asyncIterator](): AsyncGenerator<UringStream, void, undefined> {
    return acceptEach(this);
  }

  #arm(): void {
    if (this.#accepting !== undefined || this.#waiters.length === 0 || this.closed) return;
    const area = new Uint8Array(NET_AREA);
    const op = new NetOp(this.backend.opcodes.ACCEPT, this.fd, 0, 0, 0, undefined, area, (result) => this.#accepted(area, result), (late) => {
      // Accepted after a close stopped waiting: nobody can take it.
      if (late >= 0) this.backend.closeFdNow(late);
    });
    this.#accepting = op;
    this.backend.submit(op, op);
  }

  #accepted(area: Uint8Array, result: number): void {
    this.#accepting = undefined;
    if (result >= 0) {
      const waiter = this.#waiters.shift();
      let stream: UringStream | undefined;
      try {
        if (waiter === undefined || this.closed) throw closedError();
        this.backend.noDelay(result);
        stream = new UringStream(this.backend, result, decodeSockaddr(area, NET_ADDR_OFFSET));
      } catch (error) {
        this.backend.closeFdNow(result);
        waiter?.reject(IoError.is(error) ? error : closedError());
      }
      if (stream !== undefined) waiter?.resolve(stream);
    } else if (result === ECANCELED || result === CLOSED || result === ABANDONED || this.closed) {
      for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) waiter.reject(closedError());
    } else {
      // EMFILE and the like: the waiting accept learns why; the listener keeps listening.
      this.#waiters.shift()?.reject(fromSocketErrno(result, { op: "accept", backend: "uring" }));
    }
    if (this.#closed !== undefined) return this.#closeFd();
    this.#arm();
  }

  /** Stops listening: waiting accepts fail with kind Closed, the socket is closed after its ACCEPT. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#closed = resolve;
      for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) waiter.reject(closedError());
      if (this.#accepting === undefined) return this.#closeFd();
      this.backend.cancel(this.#accepting);
    });
    return this.#closing;
  }

  #closeFd(): void {
    const done = this.#closed as () => void;
    this.#closed = () => undefined;
    this.backend.closeSocketFd(this.fd, () => {
      this.#untrack();
      done();
    });
  }
}

function closedError(): IoError {
  return new IoError("Closed", "accept: the listener is closed", { op: "accept", backend: "uring" });
}
