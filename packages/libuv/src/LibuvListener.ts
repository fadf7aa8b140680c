/**
 * A TCP listener on libuv: one listening net.Server. Connections are adopted as LibuvStreams the
 * moment Node accepts them (so their errors are handled) and wait in order for `accept()`, held
 * (their sockets paused: their bytes stay in the kernel) until taken; accept calls made before a connection arrives wait in order for one.
 * The server keeps the process alive only while an accept waits (`for await` over the listener
 * keeps one waiting): an idle listener nobody closed does not, as on uring.
 */
import type { Server, Socket } from "node:net";
import { IoError, type SocketAddress, type TcpListener } from "@pktio/core";
import { acceptEach, Fifo } from "@pktio/core/backend";
import { libuvError } from "./internal/errors.js";
import type { LibuvBackend } from "./LibuvBackend.js";
import { LibuvStream } from "./LibuvStream.js";

interface Waiter {
  resolve(stream: LibuvStream): void;
  reject(error: IoError): void;
}

export class LibuvListener implements TcpListener {
  readonly backend: LibuvBackend;
  readonly address: SocketAddress;
  readonly #server: Server;
  /** Accepted connections nobody has taken yet, oldest first. */
  readonly #ready = new Fifo<LibuvStream>();
  /** accept() calls waiting for a connection, oldest first. Never both non-empty. */
  readonly #waiters = new Fifo<Waiter>();
  #closing: Promise<void> | undefined = undefined;
  readonly #untrack: () => void;

  /** Takes a server that is already listening; throws kind Closed if the runtime is closed. */
  constructor(backend: LibuvBackend, server: Server, address: SocketAddress) {
    this.backend = backend;
    this.#untrack = backend.track(this);
    this.#server = server;
    this.address = address;
    server.on("connection", (socket: Socket) => this.#onConnection(socket));
    server.on("error", (error) => this.#onError(error));
    server.unref();
  }

  /** Refs the server while an accept waits, unrefs it when none does. */
  #updateRef(): void {
    if (this.#waiters.length > 0) this.#server.ref();
    else this.#server.unref();
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The oldest connection not yet taken, or the next to arrive; kind Closed once closed. */
  accept(): Promise<LibuvStream> {
    if (this.closed) return Promise.reject(closedError());
    const stream = this.#ready.shift();
    if (stream !== undefined) {
      stream.release();
      return Promise.resolve(stream);
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#updateRef();
    });
  }

  /** Yields each incoming connection until the listener is closed; breaking out leaves it open. */
  [Symbol.asyncIterator](): AsyncGenerator<LibuvStream, void, undefined> {
    return acceptEach(this);
  }

  /**
   * Stops listening (the port is free when this returns), fails waiting accepts with kind Closed
   * and closes connections nobody took. Streams already accepted stay open: they are the
   * caller's. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      // server.close() closes the listening socket now; its 'close' event would also wait for
      // every accepted connection, which belongs to its stream, so it is not awaited.
      this.#server.close();
      for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) waiter.reject(closedError());
      const untaken = this.#ready.drain();
      this.#closing = Promise.all(untaken.map((stream) => stream.close())).then(() => void this.#untrack());
    }
    return this.#closing;
  }

  #onConnection(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    let stream: LibuvStream;
    try {
      stream = new LibuvStream(this.backend, socket);
    } catch {
      // The runtime closed (and closes this listener): nobody can take the connection.
      return void socket.destroy();
    }
    const waiter = this.#waiters.shift();
    this.#updateRef();
    if (waiter !== undefined) return waiter.resolve(stream);
    // Nobody accepts it yet: it reads nothing until someone does (LibuvStream.hold).
    stream.hold();
    this.#ready.push(stream);
  }

  /** An accept failed (e.g. EMFILE); the server keeps listening, the waiting accepts learn why. */
  #onError(error: Error): void {
    const failure = libuvError(error, "accept");
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) waiter.reject(failure);
  }
}

function closedError(): IoError {
  return new IoError("Closed", "accept: the listener is closed", { op: "accept", backend: "libuv" });
}
