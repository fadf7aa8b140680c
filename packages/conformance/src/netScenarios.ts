/**
 * mfio's network suite on 127.0.0.1, with plain node:net as the other side: connect, listen,
 * send, receive, echo client and echo server, each sequential ("seq": `count` connections one
 * after another) and concurrent ("con": all at once); then refused connects, end of stream, use
 * after close, and FIFO order with `count` read or write packets in flight on one stream.
 * Payloads are seeded bytes from a few KiB to a few MiB. Every test closes what it opened.
 */
import type { Socket } from "node:net";
import { decodeNumber, encodeNumber, io, NoPos, Packet, Read, Write, type ByteStream, type Runtime } from "@pktio/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOST, NetPeers, readToEnd, receiveAll, receiveExactly } from "./internal/NetPeers.js";
import { equalBytes } from "./packetScenarios.js";
import { Rng, seededBytes } from "./rng.js";
import { repeat } from "./Subject.js";

const MODES = ["seq", "con"] as const;
/** A hang guard, far above what any scenario needs. */
const TIMEOUT = 10_000;
const KiB = 1024;
const MiB = 1024 * KiB;

/** Connection i's payload: 1–64 KiB of seeded bytes, except connection 0's 2 MiB. */
function payload(i: number): Uint8Array {
  const size = i === 0 ? 2 * MiB : new Rng(0x7e7_0000 + i).int(KiB, 64 * KiB);
  return seededBytes(size, 0x7e7_0000 + i);
}

function u32(value: number): Uint8Array {
  return encodeNumber("u32be", value);
}

function u16(value: number): Uint8Array {
  return encodeNumber("u16be", value);
}

/** Writes and reads at the same time, so a payload larger than the socket buffers cannot deadlock. */
async function echoThrough(stream: ByteStream, bytes: Uint8Array): Promise<Uint8Array> {
  const [, echoed] = await Promise.all([stream.writeAll(bytes), stream.readExact(bytes.byteLength)]);
  return echoed;
}

/** Echoes a runtime stream until the peer ends it, then ends ours. */
async function echo(stream: ByteStream): Promise<void> {
  const buffer = new Uint8Array(64 * KiB);
  for (let count = await stream.read(buffer); count > 0; count = await stream.read(buffer)) await stream.writeAll(buffer.subarray(0, count));
  await stream.shutdown("write");
}

/** A node:net server side: receives a u32 index and a payload until the end, answers 1 if it matches. */
function checkSent(socket: Socket, expected: (index: number) => Uint8Array): void {
  receiveAll(socket).then(
    (received) => {
      const index = decodeNumber("u32be", received.subarray(0, 4));
      socket.end(u16(equalBytes(received.subarray(4), expected(index)) ? 1 : 0));
    },
    () => socket.destroy(), // the runtime side sees the connection end without an answer
  );
}

/** A node:net server side: waits for `length` bytes from the runtime, then answers. */
function afterReceiving(socket: Socket, length: number, answer: (received: Buffer) => void): void {
  receiveExactly(socket, length).then(answer, () => socket.destroy());
}

export function describeNet(getRuntime: () => Runtime, count: number): void {
  describe("network", () => {
    let peers: NetPeers;
    beforeEach(() => {
      peers = new NetPeers();
    });
    afterEach(() => peers.closeAll());

    const connect = async (port: number): Promise<ByteStream> => peers.adopt(await getRuntime().net.connect({ host: HOST, port }));

    for (const mode of MODES) {
      it(
        `tcp_connect: runtime clients reach a node:net server (${mode})`,
        async () => {
          // The server tells each client the port it sees, so both ends agree on the connection.
          const port = await peers.server((socket) => socket.end(u16(socket.remotePort ?? 0)));
          await repeat(mode, count, async () => {
            const stream = await connect(port);
            expect(stream.remoteAddress).toEqual({ host: HOST, port, family: "IPv4" });
            expect(stream.localAddress?.host).toBe(HOST);
            expect(decodeNumber("u16be", await stream.readExact(2))).toBe(stream.localAddress?.port);
            expect(await stream.read(new Uint8Array(1))).toBe(0);
            await stream.close();
          });
        },
        TIMEOUT,
      );

      it(
        `tcp_listen: node:net clients reach a runtime listener (${mode})`,
        async () => {
          const listener = peers.adopt(await getRuntime().net.listen({ host: HOST, port: 0 }));
          expect(listener.address.host).toBe(HOST);
          expect(listener.address.family).toBe("IPv4");
          expect(listener.address.port).toBeGreaterThan(0);
          const clientPorts = new Set<number>();
          const acceptedPorts = new Set<number>();
          await repeat(mode, count, async () => {
            // Accepts are served in arrival order, so in "con" mode a stream may belong to any client.
            const [client, stream] = await Promise.all([peers.client(listener.address.port), listener.accept().then((accepted) => peers.adopt(accepted))]);
            clientPorts.add(client.localPort ?? 0);
            client.write(u16(client.localPort ?? 0));
            const remotePort = stream.remoteAddress?.port;
            expect(decodeNumber("u16be", await stream.readExact(2))).toBe(remotePort);
            expect(stream.localAddress?.port).toBe(listener.address.port);
            acceptedPorts.add(remotePort ?? -1);
            client.destroy();
            await stream.close();
          });
          expect(acceptedPorts).toEqual(clientPorts);
          expect(acceptedPorts.size).toBe(count);
        },
        TIMEOUT,
      );

      it(
        `send: runtime streams write seeded payloads that a node:net server receives intact (${mode})`,
        async () => {
          const port = await peers.server((socket) => checkSent(socket, payload));
          await repeat(mode, count, async (i) => {
            const stream = await connect(port);
            await stream.writeAll(u32(i));
            expect(await stream.write(payload(i))).toBe(payload(i).byteLength);
            await stream.shutdown("write");
            expect(decodeNumber("u16be", await stream.readExact(2)), `payload ${i} arrived changed`).toBe(1);
            await stream.close();
          });
        },
        TIMEOUT,
      );

      it(
        `receive: runtime streams read seeded payloads a node:net server sends (${mode})`,
        async () => {
          const port = await peers.server((socket) => afterReceiving(socket, 4, (index) => socket.end(payload(decodeNumber("u32be", index)))));
          await repeat(mode, count, async (i) => {
            const stream = await connect(port);
            await stream.writeAll(u32(i));
            expect(equalBytes(await readToEnd(stream), payload(i)), `payload ${i}`).toBe(true);
            await stream.close();
          });
        },
        TIMEOUT,
      );

      it(
        `echo client: runtime clients against a node:net echo server (${mode})`,
        async () => {
          const port = await peers.server((socket) => socket.pipe(socket));
          await repeat(mode, count, async (i) => {
            const stream = await connect(port);
            expect(equalBytes(await echoThrough(stream, payload(i)), payload(i)), `payload ${i}`).toBe(true);
            await stream.close();
          });
        },
        TIMEOUT,
      );

      it(
        `echo server: node:net clients against a runtime echo server (${mode})`,
        async () => {
          const listener = peers.adopt(await getRuntime().net.listen({ host: HOST, port: 0 }));
          // Outcomes are collected as values, so a test that fails early leaves no unhandled rejection.
          const outcome = (work: Promise<unknown>): Promise<string> => work.then(() => "ok", (error: unknown) => String(error));
          const handlers: Promise<string>[] = [];
          const serving = outcome(
            (async () => {
              for await (const stream of listener) handlers.push(outcome(echo(peers.adopt(stream)).then(() => stream.close())));
            })(),
          );
          await repeat(mode, count, async (i) => {
            const client = await peers.client(listener.address.port);
            const echoed = receiveAll(client);
            client.end(payload(i));
            expect(equalBytes(await echoed, payload(i)), `payload ${i}`).toBe(true);
          });
          await listener.close();
          expect(await serving).toBe("ok");
          expect(await Promise.all(handlers)).toEqual(Array.from({ length: count }, () => "ok"));
        },
        TIMEOUT,
      );
    }

    it(
      "connecting to a port nobody listens on fails with kind Refused",
      async () => {
        const port = await peers.freePort();
        // node:net's text, word for word, on every backend.
        await expect(getRuntime().net.connect({ host: HOST, port })).rejects.toThrow(
          expect.objectContaining({ kind: "Refused", code: "ECONNREFUSED", message: `connect ECONNREFUSED ${HOST}:${port}` }),
        );
      },
      TIMEOUT,
    );

    it(
      "a peer's reset fails the next read with kind ConnectionReset and node:net's text (read ECONNRESET)",
      async () => {
        const port = await peers.server((socket) => {
          // Unread bytes at close make the kernel reset the connection.
          socket.on("data", () => socket.resetAndDestroy());
        });
        const stream = await connect(port);
        await stream.write(new Uint8Array([1]));
        await expect(stream.readExact(1)).rejects.toThrow(expect.objectContaining({ kind: "ConnectionReset", code: "ECONNRESET", message: "read ECONNRESET" }));
      },
      TIMEOUT,
    );

    it(
      "listen on a port that is taken is AddrInUse with node:net's code and text (listen EADDRINUSE … host:port)",
      async () => {
        const port = await peers.server(() => undefined);
        await expect(getRuntime().net.listen({ host: HOST, port })).rejects.toThrow(
          expect.objectContaining({ kind: "AddrInUse", code: "EADDRINUSE", message: expect.stringMatching(new RegExp(`^listen EADDRINUSE\\b.* ${HOST.replace(/\./g, "\\.")}:${port}$`)) }),
        );
      },
      TIMEOUT,
    );

    it(
      "bytes that arrived before a peer's reset are still read, then the reset (libuv lost them once an error came first)",
      async () => {
        const sent = Buffer.alloc(1000, 7);
        let resetNow!: () => void;
        const resetWanted = new Promise<void>((resolve) => (resetNow = resolve));
        const port = await peers.server((socket) => {
          // The bytes, then (when the test says) a reset: resetAndDestroy sends RST, not FIN.
          socket.once("data", () => socket.write(sent, () => void resetWanted.then(() => socket.resetAndDestroy())));
        });
        const stream = await connect(port);
        await stream.write(new Uint8Array([1]));
        // Where the backend buffers what arrived (libuv, threaded: Node's socket reads ahead), wait
        // until the bytes are in; uring leaves them in the kernel's receive queue.
        const buffered = (): number | undefined => (stream as { bufferedBytes?: number }).bufferedBytes;
        if (buffered() !== undefined) while (buffered()! < sent.length) await new Promise((resolve) => setImmediate(resolve));
        resetNow();
        // Nothing is read until the reset has reached this side: a write fails once it has (libuv
        // then threw away the bytes it held; the kernel keeps them for uring's reads).
        for (let written = 0; ; written++) {
          expect(written).toBeLessThan(100_000);
          const failed = await stream.write(new Uint8Array([2])).then(
            () => false,
            () => true,
          );
          if (failed) break;
          // A write uring makes at once settles in a microtask: the peer's side needs loop turns.
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(Buffer.from(await stream.readExact(1000)).equals(sent)).toBe(true);
        // Then the stream is over: the reset (or, once the kernel has reported it, the end).
        const after = await stream.read(new Uint8Array(8)).then(
          (count) => count,
          (error: { kind?: string }) => error.kind,
        );
        expect([0, "ConnectionReset"]).toContain(after);
      },
      TIMEOUT,
    );

    it(
      "after the peer ends, read returns 0 and readExact fails with UnexpectedEof",
      async () => {
        const port = await peers.server((socket) => socket.end(Buffer.from("abcdef")));
        const stream = await connect(port);
        expect(Buffer.from(await stream.readExact(3)).toString()).toBe("abc");
        // The stream ends 3 bytes into this one: the call fails and gives the 3 bytes back.
        await expect(stream.readExact(10)).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof", message: expect.stringContaining("after 3 of 10 bytes") }));
        const rest = new Uint8Array(8);
        expect(await stream.read(rest)).toBe(3);
        expect(Buffer.from(rest.subarray(0, 3)).toString()).toBe("def");
        expect(await stream.read(new Uint8Array(8))).toBe(0);
        expect(await stream.read(new Uint8Array(8))).toBe(0);
        await expect(stream.readExact(1)).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
        const result = await io(stream, NoPos, Packet.alloc(16, Write));
        expect(result.transferred).toBe(0);
        expect(result.error?.kind).toBe("UnexpectedEof");
        // The write side is still open after the peer ended its side.
        expect(await stream.write(new Uint8Array([1]))).toBe(1);
      },
      TIMEOUT,
    );

    it(
      "after close, reads, writes and shutdown fail with kind Closed; close is idempotent",
      async () => {
        const port = await peers.server(() => undefined);
        const stream = await connect(port);
        await stream.close();
        await stream.close();
        expect(stream.closed).toBe(true);
        await expect(stream.write(new Uint8Array([1, 2, 3]))).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
        await expect(stream.read(new Uint8Array(3))).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
        await expect(stream.readExact(3)).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
        await expect(stream.shutdown("write")).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
        const read = await io(stream, NoPos, Packet.alloc(4, Write));
        expect([read.transferred, read.error?.kind]).toEqual([0, "Closed"]);
        const write = await io(stream, NoPos, Packet.wrap(new Uint8Array(4), Read));
        expect([write.transferred, write.error?.kind]).toEqual([0, "Closed"]);
      },
      TIMEOUT,
    );

    it(
      'shutdown("write") keeps the calls\' order: what was written before it arrives whole, then the end; a write after it fails BrokenPipe',
      async () => {
        const data = seededBytes(8 * MiB, 0x5d01);
        let received!: Promise<Buffer>;
        const port = await peers.server((socket) => (received = receiveAll(socket)));
        const stream = await connect(port);
        // Neither is awaited: the 8 MiB are still going out when the shutdown and the late write are made.
        const written = stream.writeAll(data);
        const shut = stream.shutdown("write");
        const late = stream.write(new Uint8Array([9]));
        await expect(late).rejects.toThrow(expect.objectContaining({ kind: "BrokenPipe" }));
        await written;
        await shut;
        expect(equalBytes(await received, data), "the peer received other bytes than the 8 MiB written before the shutdown").toBe(true);
      },
      TIMEOUT,
    );

    it(
      'close() while a shutdown("write") waits behind a blocked write fails both Closed',
      async () => {
        // The peer reads nothing: 32 MiB never fit the two sockets' buffers, so the write blocks.
        const port = await peers.server(() => undefined);
        const stream = await connect(port);
        const written = stream.writeAll(new Uint8Array(32 * MiB)).then(() => "resolved", (error: unknown) => (error as { kind?: string }).kind);
        const shut = stream.shutdown("write").then(() => "resolved", (error: unknown) => (error as { kind?: string }).kind);
        await stream.close();
        expect([await written, await shut]).toEqual(["Closed", "Closed"]);
      },
      TIMEOUT,
    );

    it(
      "remoteAddress is the peer's, as the kernel names it, not the host asked for (0.0.0.0 reaches loopback)",
      async () => {
        const port = await peers.server(() => undefined);
        const stream = peers.adopt(await getRuntime().net.connect({ host: "0.0.0.0", port }));
        expect(stream.remoteAddress).toEqual(expect.objectContaining({ host: HOST, port }));
      },
      TIMEOUT,
    );

    it(
      `${count} write packets in flight on one stream arrive in order`,
      async () => {
        const chunks = Array.from({ length: count }, (_, i) => {
          const chunk = new Uint8Array(4 + new Rng(0xf1f0 + i).int(1, 16 * KiB));
          chunk.set(u32(i));
          chunk.set(seededBytes(chunk.byteLength - 4, 0xf1f0 + i), 4);
          return chunk;
        });
        const port = await peers.server((socket) => checkSent(socket, () => Buffer.concat(chunks).subarray(4)));
        const stream = await connect(port);
        // Each chunk starts with its index: any reordering shows in the bytes the peer received.
        const results = await Promise.all(chunks.map((chunk) => io(stream, NoPos, Packet.wrap(chunk, Read))));
        results.forEach((result, i) => expect([result.transferred, result.error], `packet ${i}`).toEqual([chunks[i]?.byteLength, undefined]));
        await stream.shutdown("write");
        expect(decodeNumber("u16be", await stream.readExact(2)), "the peer received the chunks out of order").toBe(1);
      },
      TIMEOUT,
    );

    it(
      `${count} read packets in flight on one stream fill in order`,
      async () => {
        const packetSize = 4 * KiB;
        // Twice what the packets hold, so every one of them gets bytes before the end of stream.
        const data = seededBytes(Math.max(2 * MiB, 2 * count * packetSize), 0xf1f1);
        const port = await peers.server((socket) => afterReceiving(socket, 1, () => socket.end(data)));
        const stream = await connect(port);
        const packets = Array.from({ length: count }, () => Packet.alloc(packetSize, Write));
        // Every read is queued before the peer sends its first byte.
        const results = packets.map((packet) => io(stream, NoPos, packet));
        await stream.writeAll(new Uint8Array([1]));
        const received: Uint8Array[] = [];
        for (const [i, result] of (await Promise.all(results)).entries()) {
          expect(result.transferred, `packet ${i}`).toBeGreaterThan(0);
          if (result.error !== undefined) expect(result.error.kind, `packet ${i}`).toBe("WouldBlock");
          received.push((packets[i] as Packet<Write>).bytes.subarray(0, result.transferred));
        }
        received.push(await readToEnd(stream));
        expect(equalBytes(Buffer.concat(received), data)).toBe(true);
      },
      TIMEOUT,
    );
  });
}
