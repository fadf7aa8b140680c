/**
 * A FIFO's transfers without a blocked thread. A read of a FIFO that nobody writes never returns:
 * on a thread pool (libuv's `fs.read`) or a worker (`readSync`) it holds that thread for ever, no
 * close can take it back, and a process with such a thread never exits (Node waits for the pool's
 * request and joins its workers). So backends without a ring hand a FIFO's fd to a libuv pipe (a
 * `node:net` Socket over the fd, as Node does for a piped stdin): reads wait for readiness in the
 * event loop and a close stops them at once.
 *
 * Invariants:
 * - Reads settle in the order they were sent, each from the oldest received bytes; bytes are
 *   taken from the pipe only while a read waits (the socket is paused otherwise), except what
 *   Node reads ahead into its stream buffer (at most its highWaterMark).
 * - Every view is settled exactly once: it leaves its queue before it is settled.
 * - A queued read whose signal fires (abort, deadline) leaves the queue before any byte is
 *   copied into it: the bytes go to the next read.
 * - The socket owns the fd from `open` on: it closes it when it is destroyed (by `close`, or by
 *   Node after an error or once both directions ended: a read-only FIFO at its end). After that
 *   `gone` is true and the file must not use the fd number again (it may be another file's).
 */
import type { Socket } from "node:net";
import type { BoundPacketView } from "../BoundPacketView.js";
import { Fifo } from "../Fifo.js";
import { ChunkQueue } from "../net/ChunkQueue.js";
import { IoError, toIoError } from "../IoError.js";
import { abortError } from "../IoOptions.js";
import type { Read, Write } from "../Perm.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";
import { settleRead, type TransferContext } from "./settleTransfer.js";

interface PendingRead {
  readonly view: BoundPacketView<Write>;
  readonly pos: number;
  readonly done: () => void;
}

/** A FIFO's reads and writes through a libuv pipe (see the module comment); made by `openPipeChannel`. */
export class PipeChannel {
  readonly #socket: Socket;
  readonly #context: TransferContext;
  readonly #reads = new Fifo<PendingRead>();
  /** Writes handed to the socket, with the callback each calls once settled. */
  readonly #writes = new Map<BoundPacketView<Read>, () => void>();
  readonly #received = new ChunkQueue();
  #flowing = false;
  /** Every writer closed the FIFO: reads of an empty buffer return 0 from now on. */
  #ended = false;
  /** Sticky: the pipe's error, or the close's. */
  #error: IoError | undefined = undefined;
  #gone = false;
  readonly #closed: Promise<void>;
  readonly #dropAborted = (): void => {
    for (const { view, done } of this.#reads.removeWhere((read) => read.view.packet.signal?.aborted === true)) {
      if (!view.settled) view.fail(abortError(view.packet.signal as AbortSignal, "read", this.#context.backend));
      done();
    }
    this.#serve();
  };

  /** @internal Use `openPipeChannel`. */
  constructor(socket: Socket, context: TransferContext) {
    this.#socket = socket;
    this.#context = context;
    socket.pause();
    this.#closed = new Promise<void>((resolve) => socket.once("close", resolve)).then(() => this.#onGone());
    socket.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    socket.on("end", () => {
      this.#ended = true;
      this.#serve();
    });
    socket.on("error", (error) => this.#fail(toIoError(error, { op: (error as NodeJS.ErrnoException).syscall ?? "read", backend: context.backend, path: context.path })));
  }

  /** True once the socket is destroyed: the fd is closed, and its number is no longer this file's. */
  get gone(): boolean {
    // `destroyed` turns true inside destroy(), when the fd is closed; the "close" event comes a
    // turn later, and a stat in between would use a number that may be another file's by then.
    return this.#gone || this.#socket.destroyed;
  }

  /** Transfers waiting on the pipe (diagnostics and a file's close). */
  get pending(): number {
    return this.#reads.length + this.#writes.size;
  }

  /**
   * Fills `view` from the FIFO (a FIFO has no positions: `pos` only names the read in errors);
   * 0 bytes at the end. `done` runs once the view is settled, whichever way.
   */
  read(view: BoundPacketView<Write>, pos: number, done: () => void): void {
    if (this.#error !== undefined) {
      view.fail(this.#error);
      return done();
    }
    this.#reads.push({ view, pos, done });
    view.packet.signal?.addEventListener("abort", this.#dropAborted, { once: true });
    this.#serve();
  }

  /** Writes `view` to the FIFO; it completes once libuv handed all of it to the kernel; then `done` runs. */
  write(view: BoundPacketView<Read>, done: () => void): void {
    if (this.#error !== undefined || view.length === 0) {
      if (this.#error !== undefined) view.fail(this.#error);
      else view.complete();
      return done();
    }
    this.#writes.set(view, done);
    // Node keeps what the pipe did not take at once, pointing at the memory: plain memory is
    // copied (a caller could detach it meanwhile); SharedArrayBuffer views cannot be detached.
    const bytes = view.bytes();
    const { Buffer } = nodeBuiltin("node:buffer");
    this.#socket.write(view.packet.shared ? bytes : Buffer.from(bytes), (error) => {
      if (!this.#writes.delete(view)) return; // failed already, by a close or the pipe's error
      // Settled by its caller's side already (ioSync, after a blockOn that could not finish).
      if (view.settled) return done();
      if (error === null || error === undefined) view.complete();
      else view.fail(toIoError(error, { op: "write", backend: this.#context.backend, path: this.#context.path }));
      done();
    });
  }

  /**
   * Settles every transfer still waiting with `error` (kind Closed), destroys the socket, which
   * closes the fd, and resolves once it is closed. Idempotent.
   */
  close(error: IoError): Promise<void> {
    this.#fail(error);
    this.#socket.destroy();
    return this.#closed;
  }

  #onData(chunk: Uint8Array): void {
    this.#received.push(chunk);
    this.#serve();
  }

  /** Hands buffered bytes to waiting reads, oldest first; then the end; then flows only while reads wait. */
  #serve(): void {
    for (let read = this.#reads.peek(); read !== undefined; read = this.#reads.peek()) {
      const { view, pos, done } = read;
      if (view.length !== 0 && this.#received.bytes === 0 && !this.#ended) break;
      this.#reads.shift();
      // Settled by its caller's side already (ioSync, after a blockOn that could not finish):
      // it takes no bytes, which stay for the next read.
      if (view.settled) {
        done();
        continue;
      }
      if (view.detached) {
        view.fail(new IoError("InvalidInput", `the buffer was detached before the read of ${this.#context.path} started: a buffer belongs to the I/O system until the read settles`, { op: "read", backend: this.#context.backend, path: this.#context.path }));
        done();
        continue;
      }
      const filled = this.#received.take(view.bytes());
      // State is consistent before settling: a completion may send the next read re-entrantly.
      settleRead(view, pos, filled, this.#context);
      done();
    }
    const wanted = this.#reads.length > 0 && this.#received.bytes === 0 && !this.#ended && this.#error === undefined;
    if (wanted !== this.#flowing) {
      this.#flowing = wanted;
      if (wanted) this.#socket.resume();
      else this.#socket.pause();
    }
  }

  #fail(error: IoError): void {
    this.#error ??= error;
    const failure = this.#error;
    const writes = [...this.#writes];
    this.#writes.clear();
    for (const [view, done] of writes) {
      if (!view.settled) view.fail(failure);
      done();
    }
    for (let read = this.#reads.shift(); read !== undefined; read = this.#reads.shift()) {
      if (!read.view.settled) read.view.fail(failure);
      read.done();
    }
  }

  #onGone(): void {
    this.#gone = true;
    // A read-only FIFO's socket goes by itself after its writer's end: later reads still get the
    // end (0), as a file's do at its end, not Closed (pktio cp read a FIFO that way).
    if (this.#ended && this.#writes.size === 0) return this.#serve();
    // Node calls a destroyed socket's write callbacks without an error: nothing may complete now.
    this.#fail(new IoError("Closed", `the pipe of ${this.#context.path} is closed`, { op: "close", backend: this.#context.backend, path: this.#context.path }));
  }
}

/**
 * A PipeChannel over `fd` when it is a FIFO (undefined for anything else: regular files and
 * devices keep their positional calls). From then on the channel's socket owns the fd.
 */
export function openPipeChannel(fd: number, access: { readable: boolean; writable: boolean }, context: TransferContext): PipeChannel | undefined {
  const fs = nodeBuiltin("node:fs");
  try {
    if (!fs.fstatSync(fd).isFIFO()) return undefined;
  } catch {
    return undefined; // an odd fd: its transfers report the error themselves
  }
  const { Socket } = nodeBuiltin("node:net");
  // allowHalfOpen: a FIFO's end (every writer gone) must not end our writing side.
  const socket = new Socket({ fd, readable: access.readable, writable: access.writable, allowHalfOpen: true });
  return new PipeChannel(socket, context);
}
