/**
 * The plain node:net side of the network scenarios, and the owner of everything a scenario opens:
 * node:net servers and sockets, and the runtime's streams and listeners. `closeAll()` after each
 * test releases them all, so a failed assertion never leaks a socket into the next test.
 * Everything is on 127.0.0.1.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { ByteStream } from "@pktio/core";

export const HOST = "127.0.0.1";

interface Closable {
  close(): Promise<void>;
}

export class NetPeers {
  readonly #servers = new Set<Server>();
  readonly #sockets = new Set<Socket>();
  readonly #handles: Closable[] = [];

  /** A node:net server on an OS-chosen port that hands each connection to `onSocket`; returns the port. */
  async server(onSocket: (socket: Socket) => void): Promise<number> {
    // Half-open like the runtime's sockets: a peer that ends its side can still get an answer.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      this.#own(socket);
      onSocket(socket);
    });
    this.#servers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: HOST, port: 0 }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("a node:net server on 127.0.0.1 has no port");
    return address.port;
  }

  /** A node:net client connected to `port`. */
  async client(port: number): Promise<Socket> {
    const socket = connect({ host: HOST, port });
    this.#own(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return socket;
  }

  /** A port nobody listens on: bound by a node:net server, then released. */
  async freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: HOST, port: 0 }, resolve);
    });
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (address === null || typeof address === "string") throw new Error("a node:net server on 127.0.0.1 has no port");
    return address.port;
  }

  /** Registers a runtime stream or listener to be closed after the test; returns it. */
  adopt<T extends Closable>(handle: T): T {
    this.#handles.push(handle);
    return handle;
  }

  /** Closes the runtime's handles first, then destroys node:net sockets and closes servers. */
  async closeAll(): Promise<void> {
    const handles = this.#handles.splice(0);
    await Promise.allSettled(handles.map((handle) => handle.close()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    const servers = [...this.#servers];
    this.#servers.clear();
    // server.close() calls back once its connections are gone; they were all destroyed above.
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  #own(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    // A reset from a closing runtime must not crash the run; the helpers report errors they see.
    socket.on("error", () => undefined);
  }
}

/** Every byte the socket receives until the peer ends its side. */
export function receiveAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => resolve(Buffer.concat(chunks)));
    socket.once("error", reject);
  });
}

/** Exactly `length` bytes; rejects if the peer ends first. Later bytes stay in the socket. */
export function receiveExactly(socket: Socket, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off("readable", attempt);
      socket.off("end", onEnd);
      socket.off("error", onError);
    };
    const attempt = (): void => {
      const chunk = socket.read(length) as Buffer | null;
      if (chunk === null) return;
      cleanup();
      // read(n) returns less than n only once the stream has ended.
      if (chunk.byteLength === length) resolve(chunk);
      else reject(new Error(`the peer ended after ${chunk.byteLength} of ${length} bytes`));
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`the peer ended before ${length} bytes arrived`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    socket.on("readable", attempt);
    socket.once("end", onEnd);
    socket.once("error", onError);
  });
}

/** Reads a runtime stream until the peer ends it (a read of 0). */
export async function readToEnd(stream: ByteStream, chunkSize = 64 * 1024): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const buffer = new Uint8Array(chunkSize);
    const count = await stream.read(buffer);
    if (count === 0) return Buffer.concat(chunks);
    chunks.push(buffer.subarray(0, count));
  }
}

/** A runtime stream connected to a node:net peer, for the stream scenarios; one NetPeers per pair. */
export async function connectThroughNode(connect: (port: number) => Promise<ByteStream>): Promise<{ stream: ByteStream; send(bytes: Uint8Array): Promise<void>; close(): Promise<void> }> {
  const peers = new NetPeers();
  let accepted!: (socket: Socket) => void;
  const peer = new Promise<Socket>((resolve) => (accepted = resolve));
  const port = await peers.server((socket) => accepted(socket));
  const stream = peers.adopt(await connect(port));
  const socket = await peer;
  return {
    stream,
    send: (bytes) => new Promise<void>((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve()))),
    close: () => peers.closeAll(),
  };
}
