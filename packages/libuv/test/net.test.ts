/**
 * TCP on libuv: the shared network scenarios, then what only this backend promises — shutdown,
 * addresses, backpressure, the sync scope, argument checks, close and reset semantics, and a
 * process that exits by itself after using sockets.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { io, ioSync, IoError, NoPos, Packet, Read, Write, type ByteStream } from "@pktio/core";
import { describeNet, equalBytes, seededBytes } from "@pktio/conformance";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openLibuv, STREAM_BUFFER_LIMIT, type LibuvListener, type LibuvRuntime, type LibuvStream } from "../src/index.js";

const HOST = "127.0.0.1";
const TIMEOUT = 10_000;
const MiB = 1024 * 1024;

let rt: LibuvRuntime;
beforeAll(() => {
  rt = openLibuv();
});
afterAll(() => rt.close());

describeNet(() => rt, 256);

describe("libuv streams", () => {
  // Everything a test opens, closed after it whatever happened.
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const nodeServer = async (onSocket: (socket: Socket) => void): Promise<number> => {
    const sockets = new Set<Socket>();
    const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
      onSocket(socket);
    });
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    await new Promise<void>((resolve) => server.listen({ host: HOST, port: 0 }, resolve));
    return (server.address() as { port: number }).port;
  };
  /** A node:net server for one connection, and that connection's socket once it arrives. */
  const nodePeer = async (): Promise<{ port: number; peer: Promise<Socket> }> => {
    let resolve!: (socket: Socket) => void;
    const peer = new Promise<Socket>((settle) => (resolve = settle));
    return { port: await nodeServer((socket) => resolve(socket)), peer };
  };
  const nodeClient = async (port: number): Promise<Socket> => {
    const socket = netConnect({ host: HOST, port });
    socket.on("error", () => undefined);
    cleanups.push(() => void socket.destroy());
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    return socket;
  };
  const connect = async (port: number): Promise<LibuvStream> => {
    const stream = await rt.net.connect({ host: HOST, port });
    cleanups.push(() => stream.close());
    return stream;
  };
  const listen = async (): Promise<LibuvListener> => {
    const listener = await rt.net.listen({ host: HOST, port: 0 });
    cleanups.push(() => listener.close());
    return listener;
  };
  const receiveAll = (socket: Socket): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.once("end", () => resolve(Buffer.concat(chunks)));
      socket.once("error", reject);
    });
  const readToEnd = async (stream: ByteStream): Promise<Buffer> => {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const buffer = new Uint8Array(64 * 1024);
      const count = await stream.read(buffer);
      if (count === 0) return Buffer.concat(chunks);
      chunks.push(buffer.subarray(0, count));
    }
  };
  const kind = (kindName: string): unknown => expect.objectContaining({ kind: kindName });

  it(
    "a connection nobody has accepted reads nothing into memory (its bytes wait in the kernel); once accepted, every byte comes",
    async () => {
      const listener = await listen();
      const data = seededBytes(256 * 1024, 0x5403);
      const client = await nodeClient(listener.address.port);
      await new Promise<void>((resolve, reject) => client.write(data, (error) => (error ? reject(error) : resolve())));
      // Event-loop turns in which an eager socket would have read the bytes (500 untaken
      // connections held 568 MiB so); a held one reads none, however many turns pass.
      for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
      const stream = await listener.accept();
      cleanups.push(() => stream.close());
      expect(stream.bufferedBytes).toBe(0);
      expect(equalBytes(await stream.readExact(data.byteLength), data)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "bytes a connection nobody had accepted yet received before its peer reset it are read once it is accepted, then the reset",
    async () => {
      const listener = await listen();
      const data = seededBytes(1000, 0x5404);
      const client = await nodeClient(listener.address.port);
      await new Promise<void>((resolve, reject) => client.write(data, (error) => (error ? reject(error) : resolve())));
      client.resetAndDestroy();
      // Turns for the reset to reach the held socket (it once took the bytes Node held with it).
      for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
      const stream = await listener.accept();
      cleanups.push(() => stream.close());
      expect(equalBytes(await stream.readExact(data.byteLength), data)).toBe(true);
      const after = await stream.read(new Uint8Array(8)).then(
        (count) => count,
        (error: { kind?: string }) => error.kind,
      );
      expect([0, "ConnectionReset"]).toContain(after);
    },
    TIMEOUT,
  );

  it(
    'shutdown("write") ends our side after the queued writes; reading goes on; later writes are BrokenPipe',
    async () => {
      const data = seededBytes(3 * MiB, 0x5401);
      const port = await nodeServer((socket) =>
        receiveAll(socket).then(
          (received) => socket.end(`${received.byteLength} ${equalBytes(received, data)}`),
          () => socket.destroy(),
        ),
      );
      const stream = await connect(port);
      // The write is not awaited: shutdown must wait for it.
      const written = io(stream, NoPos, Packet.wrap(data, Read));
      await stream.shutdown("write");
      expect((await written).error).toBeUndefined();
      await stream.shutdown("write"); // idempotent
      await expect(stream.write(new Uint8Array([1]))).rejects.toThrow(kind("BrokenPipe"));
      expect((await readToEnd(stream)).toString()).toBe(`${data.byteLength} true`);
    },
    TIMEOUT,
  );

  it(
    'shutdown("read") fails pending reads with UnexpectedEof, discards later bytes without stalling the peer, and keeps writing',
    async () => {
      const { port, peer: accepted } = await nodePeer();
      const stream = await connect(port);
      const peer = await accepted;
      const pending = io(stream, NoPos, Packet.alloc(16, Write));
      await stream.shutdown("read");
      const result = await pending;
      expect([result.transferred, result.error?.kind]).toEqual([0, "UnexpectedEof"]);
      // 16 MiB is more than the kernel buffers of a loopback connection hold: the peer's write
      // completes only because the stream goes on reading and drops the bytes.
      await new Promise<void>((resolve, reject) => peer.write(seededBytes(16 * MiB, 0x5402), (error) => (error ? reject(error) : resolve())));
      expect(await stream.read(new Uint8Array(8))).toBe(0);
      expect(stream.bufferedBytes).toBe(0);
      const received = receiveAll(peer);
      await stream.writeAll(new Uint8Array([7, 8, 9]));
      await stream.shutdown("write");
      expect([...(await received)]).toEqual([7, 8, 9]);
    },
    TIMEOUT,
  );

  it(
    'shutdown("both") ends the peer\'s reading and ours; a bad how is InvalidInput naming it',
    async () => {
      const peerSaw: Promise<Buffer>[] = [];
      const port = await nodeServer((socket) => peerSaw.push(receiveAll(socket)));
      const stream = await connect(port);
      await stream.writeAll(new Uint8Array([1]));
      await stream.shutdown("both");
      expect(await stream.read(new Uint8Array(1))).toBe(0);
      await expect(stream.write(new Uint8Array([2]))).rejects.toThrow(kind("BrokenPipe"));
      await vi.waitFor(() => expect(peerSaw).toHaveLength(1));
      expect([...(await (peerSaw[0] as Promise<Buffer>))]).toEqual([1]);
      await expect(stream.shutdown("sideways" as never)).rejects.toThrow(/shutdown: how must be "read", "write" or "both", got "sideways"/);
      await expect(stream.shutdown(undefined as never)).rejects.toThrow(kind("InvalidInput"));
    },
    TIMEOUT,
  );

  it(
    "local and remote addresses match across a connection and outlive close",
    async () => {
      const listener = await listen();
      expect(listener.address).toEqual({ host: HOST, port: expect.any(Number), family: "IPv4" });
      expect(listener.address.port).toBeGreaterThan(0);
      const [client, server] = await Promise.all([connect(listener.address.port), listener.accept()]);
      cleanups.push(() => server.close());
      expect(client.remoteAddress).toEqual(listener.address);
      expect(server.localAddress).toEqual(listener.address);
      expect(server.remoteAddress).toEqual(client.localAddress);
      expect(client.localAddress).toEqual({ host: HOST, port: expect.any(Number), family: "IPv4" });
      await client.close();
      expect(client.remoteAddress).toEqual(listener.address);
    },
    TIMEOUT,
  );

  it(
    "backpressure: 8 MiB from a fast peer is held to the buffer limit until read, and arrives intact",
    async () => {
      const data = seededBytes(8 * MiB, 0x5403);
      const port = await nodeServer((socket) => socket.end(data));
      const stream = await connect(port);
      // Nobody reads yet: the stream buffers past the limit once, then pauses the socket.
      await vi.waitFor(() => expect(stream.bufferedBytes).toBeGreaterThan(STREAM_BUFFER_LIMIT), { timeout: 5_000, interval: 2 });
      const bound = STREAM_BUFFER_LIMIT + 64 * 1024; // the limit plus one chunk from libuv
      const received: Uint8Array[] = [];
      let peak = stream.bufferedBytes;
      for (;;) {
        peak = Math.max(peak, stream.bufferedBytes);
        expect(stream.bufferedBytes).toBeLessThanOrEqual(bound);
        const buffer = new Uint8Array(64 * 1024);
        const count = await stream.read(buffer);
        if (count === 0) break;
        received.push(buffer.subarray(0, count));
      }
      expect(peak).toBeLessThanOrEqual(bound);
      expect(equalBytes(Buffer.concat(received), data)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "in a sync scope a socket fails packets with kind Unsupported, and works normally afterwards",
    async () => {
      const port = await nodeServer((socket) => socket.pipe(socket));
      const stream = await connect(port);
      const read = ioSync(stream, NoPos, Packet.alloc(4, Write));
      expect([read.transferred, read.error?.kind]).toEqual([0, "Unsupported"]);
      expect(read.error?.message).toMatch(/sockets have no synchronous path on libuv/);
      const write = ioSync(stream, NoPos, Packet.wrap(new Uint8Array(4), Read));
      expect([write.transferred, write.error?.kind]).toEqual([0, "Unsupported"]);
      let inside: IoError | undefined;
      rt.io.submitSync(() => stream.sendIo(NoPos, Packet.alloc(1, Write).bind({ onDone: (result) => (inside = result.error) })));
      expect(inside?.kind).toBe("Unsupported");
      await stream.writeAll(new Uint8Array([4, 5, 6]));
      expect([...(await stream.readExact(3))]).toEqual([4, 5, 6]);
    },
    TIMEOUT,
  );

  it(
    "connect and listen reject bad addresses with InvalidInput naming the key",
    async () => {
      const cases: [unknown, RegExp][] = [
        [{ host: HOST, port: 70_000 }, /connect: "port"/],
        [{ host: HOST, port: -1 }, /connect: "port"/],
        [{ host: HOST, port: 1.5 }, /connect: "port"/],
        [{ host: HOST, port: "80" }, /connect: "port"/],
        [{ host: HOST }, /connect: "port"/],
        [{ host: "", port: 80 }, /connect: "host": must be a non-empty host name/],
        [{ port: 80 }, /connect: "host"/],
        [{ host: HOST, port: 80, tls: true }, /connect: unknown option "tls"/],
        [undefined, /connect: "host"/],
        ["127.0.0.1:80", /connect: value/],
      ];
      for (const [address, message] of cases) {
        const attempt = rt.net.connect(address as never);
        await expect(attempt, JSON.stringify(address)).rejects.toThrow(message);
        await expect(attempt).rejects.toThrow(kind("InvalidInput"));
      }
      await expect(rt.net.listen({ host: HOST, port: 65_536 })).rejects.toThrow(/listen: "port"/);
      await expect(rt.net.listen({ host: HOST, port: 0, backlog: 5 } as never)).rejects.toThrow(/listen: unknown option "backlog"/);
      await expect(rt.net.listen({ host: 5, port: 0 } as never)).rejects.toThrow(kind("InvalidInput"));
    },
    TIMEOUT,
  );

  it(
    "listening on a port in use is AddrInUse",
    async () => {
      const listener = await listen();
      await expect(rt.net.listen({ host: HOST, port: listener.address.port })).rejects.toThrow(kind("AddrInUse"));
    },
    TIMEOUT,
  );

  it(
    "closing a listener fails waiting accepts with Closed, ends iteration and leaves taken streams open",
    async () => {
      const listener = await listen();
      const iterator = listener[Symbol.asyncIterator]();
      const first = await nodeClient(listener.address.port);
      const yielded = (await iterator.next()).value as LibuvStream;
      cleanups.push(() => yielded.close());
      expect(yielded.remoteAddress?.port).toBe(first.localPort);
      const pending = listener.accept().then(
        () => "accepted",
        (error: unknown) => (error as IoError).kind,
      );
      await listener.close();
      await listener.close(); // idempotent
      expect(await pending).toBe("Closed");
      await expect(listener.accept()).rejects.toThrow(kind("Closed"));
      expect((await iterator.next()).done).toBe(true);
      // The port is free as soon as close() resolves.
      await expect(rt.net.connect({ host: HOST, port: listener.address.port })).rejects.toThrow(kind("Refused"));
      first.write("x");
      expect([...(await yielded.readExact(1))]).toEqual([120]);
    },
    TIMEOUT,
  );

  it(
    "closing a listener closes connections nobody accepted",
    async () => {
      const listener = await listen();
      const clients = await Promise.all([nodeClient(listener.address.port), nodeClient(listener.address.port)]);
      const closed = clients.map((client) => new Promise<void>((resolve) => client.once("close", () => resolve())));
      const taken = await listener.accept();
      cleanups.push(() => taken.close());
      const takenClient = clients.findIndex((client) => client.localPort === taken.remoteAddress?.port);
      expect(takenClient).toBeGreaterThanOrEqual(0);
      await listener.close();
      // The other client sees its connection end: closed by the listener, or reset by the kernel
      // if Node had not accepted it yet.
      await closed[1 - takenClient];
      clients[takenClient]?.write("y");
      expect([...(await taken.readExact(1))]).toEqual([121]);
    },
    TIMEOUT,
  );

  it(
    "pending reads and writes fail with kind Closed when the stream closes",
    async () => {
      // The peer never reads, so 32 MiB cannot all reach the kernel before close.
      const port = await nodeServer((socket) => socket.pause());
      const stream = await connect(port);
      const read = io(stream, NoPos, Packet.alloc(8, Write));
      const write = io(stream, NoPos, Packet.wrap(new Uint8Array(32 * MiB), Read));
      await stream.close();
      const [readResult, writeResult] = await Promise.all([read, write]);
      expect([readResult.transferred, readResult.error?.kind]).toEqual([0, "Closed"]);
      expect([writeResult.transferred, writeResult.error?.kind]).toEqual([0, "Closed"]);
    },
    TIMEOUT,
  );

  it(
    "a reset from the peer fails the pending read with ConnectionReset, and later packets too",
    async () => {
      const { port, peer: accepted } = await nodePeer();
      const stream = await connect(port);
      const peer = await accepted;
      const read = io(stream, NoPos, Packet.alloc(8, Write));
      peer.resetAndDestroy();
      const result = await read;
      expect([result.transferred, result.error?.kind]).toEqual([0, "ConnectionReset"]);
      await expect(stream.write(new Uint8Array([1]))).rejects.toThrow(kind("ConnectionReset"));
      await expect(stream.read(new Uint8Array(1))).rejects.toThrow(kind("ConnectionReset"));
    },
    TIMEOUT,
  );

  it(
    "writes to a peer that went away fail with BrokenPipe or ConnectionReset",
    async () => {
      const { port, peer: accepted } = await nodePeer();
      const stream = await connect(port);
      const peer = await accepted;
      const gone = new Promise<void>((resolve) => peer.once("close", () => resolve()));
      peer.destroy();
      await gone;
      // The first write may still be accepted by the kernel; the peer's reset fails a later one.
      let failure: unknown;
      for (let i = 0; i < 1000 && failure === undefined; i++) {
        await stream.write(new Uint8Array(64 * 1024)).catch((error: unknown) => (failure = error));
      }
      expect(IoError.is(failure), String(failure)).toBe(true);
      expect(["BrokenPipe", "ConnectionReset"]).toContain((failure as IoError).kind);
      // The error is sticky: later packets fail the same way.
      await expect(stream.write(new Uint8Array([1]))).rejects.toThrow(kind((failure as IoError).kind));
    },
    TIMEOUT,
  );

  it(
    "empty read and write packets complete in order without data",
    async () => {
      const port = await nodeServer((socket) => socket.pipe(socket));
      const stream = await connect(port);
      const order: string[] = [];
      const empty = io(stream, NoPos, Packet.alloc(0, Write)).then((result) => order.push(`empty read ${result.transferred}`));
      const emptyWrite = io(stream, NoPos, Packet.alloc(0, Read)).then((result) => order.push(`empty write ${result.transferred} ${result.error?.kind}`));
      await Promise.all([empty, emptyWrite]);
      expect(order.sort()).toEqual(["empty read 0", "empty write 0 undefined"]);
      await stream.writeAll(new Uint8Array([1]));
      expect([...(await stream.readExact(1))]).toEqual([1]);
    },
    TIMEOUT,
  );

  it(
    "closing the runtime closes its streams and listeners; both refuse new work",
    async () => {
      const own = openLibuv();
      const peerEnded: Promise<Buffer>[] = [];
      const port = await nodeServer((socket) => peerEnded.push(receiveAll(socket)));
      const stream = await own.net.connect({ host: HOST, port });
      const listener = await own.net.listen({ host: HOST, port: 0 });
      const read = io(stream, NoPos, Packet.alloc(8, Write));
      const accept = listener.accept().then(
        () => "accepted",
        (error: unknown) => (error as IoError).kind,
      );
      await own.close();
      expect((await read).error?.kind).toBe("Closed");
      expect(await accept).toBe("Closed");
      expect(stream.closed).toBe(true);
      await vi.waitFor(() => expect(peerEnded).toHaveLength(1));
      expect((await peerEnded[0])?.byteLength).toBe(0);
      await expect(own.net.connect({ host: HOST, port })).rejects.toThrow(kind("Closed"));
      await expect(own.net.listen({ host: HOST, port: 0 })).rejects.toThrow(kind("Closed"));
    },
    TIMEOUT,
  );

  it(
    "a connect in progress is cancelled with kind Closed when the runtime closes",
    async () => {
      const own = openLibuv();
      // connect() registers the attempt before it returns; closing in the same tick cancels it.
      const port = await nodeServer(() => undefined);
      const attempt = own.net.connect({ host: HOST, port });
      await own.close();
      await expect(attempt).rejects.toThrow(kind("Closed"));
    },
    TIMEOUT,
  );

  it(
    "a process that used a runtime's sockets and closed its listener exits by itself",
    () => {
      // tsx comes with @pktio/conformance, which this package already depends on.
      const conformance = fileURLToPath(new URL("../node_modules/@pktio/conformance/package.json", import.meta.url));
      const tsx = pathToFileURL(createRequire(conformance).resolve("tsx")).href;
      const script = fileURLToPath(new URL("./fixtures/netChild.ts", import.meta.url));
      const run = spawnSync(process.execPath, ["--import", tsx, "--conditions=pktio-source", script], { encoding: "utf8", timeout: 8_000 });
      expect(run.error, "the child did not exit by itself within 8 s").toBeUndefined();
      expect(run.stderr).toBe("");
      expect(run.stdout.trim()).toBe("done ping 0 Refused");
      expect(run.status).toBe(0);
    },
    TIMEOUT,
  );
});
