/**
 * A TCP stream on libuv: one node:net Socket behind the packet model. Read packets queue in
 * order and are filled from the bytes that have arrived; write packets go to `socket.write`
 * without a copy and complete when libuv has handed them to the kernel.
 *
 * Invariants:
 * - Reads settle in the order they were sent, each from the oldest received bytes; a read is
 *   pending only while nothing is buffered, so received bytes are never overtaken.
 * - At most STREAM_BUFFER_LIMIT bytes (plus one chunk) wait for reads: past it the socket is
 *   paused, so the kernel's window closes and the peer slows down; reads resume it.
 * - Every view is settled exactly once: a view leaves its queue before it is settled, and a
 *   late socket callback for a view that already left (failed by close or an error) is ignored.
 * - A queued read whose signal fires (abort, timeoutMs, the connection deadline) leaves the queue
 *   at once, before any byte is copied into it: the bytes go to the next read, none are lost.
 * - The socket keeps the process alive only while a read, a write or a shutdown waits on it (the
 *   runtime's idle rule, as for UDP and on uring): an idle connection nobody closed does not.
 */
import type { Socket } from "node:net";
import { ByteStream, IoError, type AnyStreamView, type BoundPacketView, type Read, type ShutdownHow, type SocketAddress, type Write } from "@pktio/core";
import { abortError, ChunkQueue, detachedError, Fifo, fromSocketErrno, settleShortRead } from "@pktio/core/backend";
import { toSocketAddress } from "./internal/address.js";
import { libuvError } from "./internal/errors.js";
import type { LibuvBackend } from "./LibuvBackend.js";

/** Received bytes held for reads before the socket is paused (backpressure to the peer). */
export const STREAM_BUFFER_LIMIT = 1024 * 1024;
/** Reads must drain the held bytes to this level before the socket resumes (hysteresis). */
const RESUME_LEVEL = STREAM_BUFFER_LIMIT / 4;

const SHUTDOWN_HOWS: readonly string[] = ["read", "write", "both"] satisfies ShutdownHow[];

export class LibuvStream extends ByteStream {
  readonly backend: LibuvBackend;
  /** Captured when the stream is made, so they stay readable after close. */
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
  readonly #socket: Socket;
  readonly #reads = new Fifo<BoundPacketView<Write>>();
  /** Writes handed to the socket, oldest first; a view leaves the set when it is settled. */
  readonly #writes = new Set<BoundPacketView<Read>>();
  readonly #received = new ChunkQueue();
  #paused = false;
  /** Held by its listener until accepted: no bytes are read into memory for a stream nobody took. */
  #held = false;
  /** #onError is taking what Node's paused socket still holds (see there). */
  #draining = false;
  /** No more bytes will arrive: the peer ended its side, or the socket is gone. */
  #ended = false;
  #readShut = false;
  /** No more writes are accepted: shut down by the user, or the socket is gone. */
  #writeShut = false;
  #writeShutdown: Promise<void> | undefined = undefined;
  /** The socket's error; sticky, it fails every later packet too. */
  #error: IoError | undefined = undefined;
  readonly #socketClosed: Promise<void>;
  readonly #untrack: () => void;
  /** A shutdown("write") is waiting for its FIN to go out. */
  #shutting = false;
  /** Whether the socket is ref'd now (see the invariants); starts ref'd, as Node's sockets do. */
  #refd = true;
  readonly #dropAborted = (): void => {
    for (const view of this.#reads.removeWhere((read) => read.packet.signal?.aborted === true)) {
      view.fail(abortError(view.packet.signal as AbortSignal, "read", "libuv"));
    }
    this.#updateRef();
  };

  /** Adopts a connected socket; throws kind Closed (and leaves the socket alone) if the runtime is closed. */
  constructor(backend: LibuvBackend, socket: Socket) {
    super();
    this.backend = backend;
    this.#untrack = backend.track(this);
    this.#socket = socket;
    socket.setNoDelay(true);
    this.localAddress = toSocketAddress(socket.localAddress, socket.localPort, socket.localFamily);
    this.remoteAddress = toSocketAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    this.#socketClosed = new Promise((resolve) => socket.once("close", resolve)).then(() => this.#onClose());
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => this.#onEnd());
    socket.on("error", (error) => this.#onError(error));
    this.#updateRef();
  }

  /** Refs the socket while an operation waits on it, unrefs it when none does. */
  #updateRef(): void {
    const busy = this.#reads.length > 0 || this.#writes.size > 0 || this.#shutting;
    if (busy === this.#refd) return;
    this.#refd = busy;
    if (busy) this.#socket.ref();
    else this.#socket.unref();
  }

  /**
   * @internal The listener holds a connection nobody has accepted yet: its socket is paused, so
   * its bytes wait in the kernel (whose window stops the peer), as on uring, instead of up to
   * STREAM_BUFFER_LIMIT each in memory (500 untaken connections cost 568 MiB).
   */
  hold(): void {
    this.#held = true;
    this.#socket.pause();
  }

  /** @internal Accepted: reading starts (unless the buffer is full, see #serveReads). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (!this.#paused) this.#socket.resume();
  }

  /** Received bytes waiting for read packets (diagnostic; bounded by STREAM_BUFFER_LIMIT plus one chunk). */
  get bufferedBytes(): number {
    return this.#received.bytes;
  }

  protected submit(view: AnyStreamView): void {
    const reading = view.perm.backendWrites;
    if (this.backend.inSyncScope) {
      return view.fail(
        new IoError("Unsupported", "sockets have no synchronous path on libuv: a socket cannot block the thread; use the async API", {
          op: reading ? "read" : "write",
          backend: "libuv",
        }),
      );
    }
    if (reading) this.#submitRead(view as BoundPacketView<Write>);
    else this.#submitWrite(view as BoundPacketView<Read>);
  }

  /** The socket's error as `op` met it: a write after a reset says `write`, not Node's `read ECONNRESET`. */
  #errorFor(op: "read" | "write"): IoError {
    const error = this.#error as IoError;
    if (error.op === op || error.errno === undefined) return error;
    return fromSocketErrno(error.code, { op, backend: "libuv", cause: error });
  }

  #submitRead(view: BoundPacketView<Write>): void {
    // Bytes that arrived before the socket's error (a peer's reset) are still read first.
    if (this.#error !== undefined && this.#received.bytes === 0) return view.fail(this.#errorFor("read"));
    if (this.#readShut) return view.fail(eof("the stream's read side was shut down"));
    this.#reads.push(view);
    view.packet.signal?.addEventListener("abort", this.#dropAborted, { once: true });
    this.#serveReads();
    this.#updateRef();
  }

  #submitWrite(view: BoundPacketView<Read>): void {
    if (this.#error !== undefined) return view.fail(this.#errorFor("write"));
    if (this.#writeShut) return view.fail(new IoError("BrokenPipe", "the stream's write side is shut down", { op: "write", backend: "libuv" }));
    this.#writes.add(view);
    this.#updateRef();
    // Node keeps what it could not write at once in its queue, pointing at the memory: a plain
    // ArrayBuffer the caller detached meanwhile would be freed under it (EFAULT, or whatever took
    // its place sent). So such bytes are copied into a Buffer of Node's that no caller can reach;
    // SharedArrayBuffer views, which cannot be detached, go as they are.
    const bytes = view.bytes();
    this.#socket.write(view.packet.shared ? bytes : Buffer.from(bytes), (error) => this.#written(view, error));
  }

  #written(view: BoundPacketView<Read>, error: Error | null | undefined): void {
    if (!this.#writes.delete(view)) return; // already failed by close() or a socket error
    this.#updateRef();
    if (error === null || error === undefined) return view.complete();
    view.fail(this.#streamError(error, "write"));
  }

  /** Hands buffered bytes to pending reads, oldest first; then end of stream; then maybe resumes. */
  #serveReads(): void {
    for (let view = this.#reads.peek(); view !== undefined; view = this.#reads.peek()) {
      if (view.length !== 0 && this.#received.bytes === 0) break;
      this.#reads.shift();
      // Detached while it waited: it fails, and the buffered bytes stay for the next read.
      if (view.detached) {
        view.fail(detachedError("read", "libuv", "before it started"));
        continue;
      }
      const filled = this.#received.take(view.bytes());
      // State is consistent before settling: a completion may send the next packet re-entrantly.
      settleShortRead(view, filled, "libuv");
    }
    if (this.#received.bytes === 0 && (this.#error !== undefined || this.#ended)) {
      // Past the bytes that came: the socket's error (a reset), else the end of the stream.
      for (let view = this.#reads.shift(); view !== undefined; view = this.#reads.shift()) view.fail(this.#error !== undefined ? this.#errorFor("read") : eof("the peer ended the stream"));
    }
    if (this.#paused && this.#received.bytes <= RESUME_LEVEL) {
      this.#paused = false;
      if (!this.#held) this.#socket.resume();
    }
    this.#updateRef();
  }

  #onData(chunk: Buffer): void {
    if (this.#readShut || this.#draining) return; // shut down for reading: incoming bytes are discarded
    this.#received.push(chunk);
    this.#serveReads();
    if (!this.#paused && this.#received.bytes > STREAM_BUFFER_LIMIT) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #onEnd(): void {
    this.#ended = true;
    this.#serveReads();
  }

  #onError(thrown: Error): void {
    const syscall = (thrown as NodeJS.ErrnoException).syscall;
    this.#error ??= libuvError(thrown, syscall ?? "socket");
    // The bytes received before it stay for the reads (as the kernel's receive queue does after
    // a RST on uring): those delivered, and those Node still holds in the socket's buffer while
    // it is paused (held by its listener, or full), which its destruction would drop. Every
    // write fails, naming its own operation (a write waiting at a reset is `write ECONNRESET`,
    // not Node's `read`); reads are served what there is, then fail (#serveReads).
    if (!this.#readShut) {
      // read() returns each chunk; a 'data' event it might also emit is the same chunk (#draining).
      this.#draining = true;
      for (let chunk = this.#socket.read() as Buffer | null; chunk !== null; chunk = this.#socket.read() as Buffer | null) this.#received.push(chunk);
      this.#draining = false;
    }
    const writes = [...this.#writes];
    this.#writes.clear();
    for (const view of writes) view.fail(this.#errorFor("write"));
    this.#serveReads();
  }

  /** The socket is gone (closed by us, by an error, or after both sides ended). */
  #onClose(): void {
    this.#untrack();
    this.#ended = true;
    this.#writeShut = true;
    // Normally nothing is left: close() and errors fail pending packets first. This is the net
    // under them, since Node calls a destroyed socket's write callbacks without an error.
    this.#failPending(this.#error ?? new IoError("BrokenPipe", "the socket closed before the packet was served", { op: "close", backend: "libuv" }));
  }

  #failPending(error: IoError): void {
    const writes = [...this.#writes];
    this.#writes.clear();
    for (const view of writes) view.fail(error);
    for (let view = this.#reads.shift(); view !== undefined; view = this.#reads.shift()) view.fail(error);
    this.#updateRef();
  }

  #dropBuffered(): void {
    this.#received.clear();
  }

  /** A Node error of this socket as an IoError: the socket's own error wins over its echoes. */
  #streamError(error: Error, op: string): IoError {
    if (this.#error !== undefined) return this.#error;
    if ((error as NodeJS.ErrnoException).code === "ERR_STREAM_DESTROYED") return new IoError("Closed", "the stream was closed", { op, backend: "libuv", cause: error });
    return libuvError(error, op);
  }

  async shutdown(how: ShutdownHow): Promise<void> {
    if (typeof how !== "string" || !SHUTDOWN_HOWS.includes(how)) {
      throw new IoError("InvalidInput", `shutdown: how must be "read", "write" or "both", got ${typeof how === "string" ? JSON.stringify(how) : String(how)}`, {
        op: "shutdown",
        backend: "libuv",
      });
    }
    if (this.closed) throw new IoError("Closed", "shutdown: the stream is closed", { op: "shutdown", backend: "libuv" });
    if (how !== "write") this.#shutRead();
    if (how !== "read") await this.#shutWrite();
  }

  /**
   * Node cannot shutdown(SHUT_RD), so reading is stopped here: pending and later reads fail with
   * UnexpectedEof, and bytes that still arrive are discarded (as BSD does) so the peer never stalls.
   */
  #shutRead(): void {
    if (this.#readShut) return;
    this.#readShut = true;
    this.#dropBuffered();
    for (let view = this.#reads.shift(); view !== undefined; view = this.#reads.shift()) view.fail(eof("the stream's read side was shut down"));
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  /** Sends FIN after the writes already queued; resolves once the kernel has taken them all. */
  #shutWrite(): Promise<void> {
    if (this.#writeShutdown === undefined) {
      const alreadyShut = this.#writeShut;
      this.#writeShut = true;
      this.#writeShutdown = new Promise<void>((resolve, reject) => {
        if (this.#error !== undefined) return reject(this.#error);
        if (alreadyShut || this.#socket.destroyed) return resolve();
        this.#shutting = true;
        this.#updateRef();
        this.#socket.end((error?: Error | null) => {
          this.#shutting = false;
          this.#updateRef();
          if (error === null || error === undefined) resolve();
          else reject(this.#streamError(error, "shutdown"));
        });
      });
    }
    return this.#writeShutdown;
  }

  /** Fails pending reads and writes with kind Closed, then destroys the socket; resolves on its 'close'. */
  protected closeStream(): Promise<void> {
    const closed = new IoError("Closed", "the stream was closed", { op: "close", backend: "libuv" });
    this.#dropBuffered();
    this.#failPending(closed);
    this.#socket.destroy();
    return this.#socketClosed;
  }
}

function eof(message: string): IoError {
  return new IoError("UnexpectedEof", message, { op: "read", backend: "libuv" });
}
