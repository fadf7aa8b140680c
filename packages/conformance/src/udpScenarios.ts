/**
 * UDP on every backend (design.md §8), against plain node:dgram peers on 127.0.0.1: bind, sendTo
 * and recvFrom with the sender's address, one datagram per packet (sizes kept apart), truncation
 * reported as such, connect + send, seq and with many receives in flight, deadlines on a receive
 * that leave the queue, and close with pending receives (kind Closed). Loopback does not lose
 * datagrams while the receive buffer has room: each scenario keeps what is outstanding far below
 * it (64 datagrams of at most 2 KiB), so nothing here depends on timing.
 */
import { createSocket, type Socket } from "node:dgram";
import type { Runtime, UdpSocket } from "@pktio/core";
import { afterEach, describe, expect, it } from "vitest";
import { HOST } from "./internal/NetPeers.js";
import { equalBytes } from "./packetScenarios.js";
import { Rng, seededBytes } from "./rng.js";

const TIMEOUT = 10_000;
const IN_FLIGHT = 64;
const kind = (k: string, message?: RegExp): unknown => expect.objectContaining(message === undefined ? { kind: k } : { kind: k, message: expect.stringMatching(message) });

/** Datagram i: 1 … 2048 seeded bytes, its index in the first two. */
function datagram(i: number): Uint8Array {
  const bytes = seededBytes(new Rng(0xd6_0000 + i).int(2, 2048), 0xd6_0000 + i);
  bytes[0] = i >> 8;
  bytes[1] = i & 0xff;
  return bytes;
}

export function describeUdp(getRuntime: () => Runtime): void {
  describe("udp", () => {
    const sockets: UdpSocket[] = [];
    const peers: Socket[] = [];
    afterEach(async () => {
      await Promise.allSettled(sockets.splice(0).map((socket) => socket.close()));
      await Promise.all(peers.splice(0).map((peer) => new Promise<void>((resolve) => peer.close(() => resolve()))));
    });
    const bind = async (): Promise<UdpSocket> => {
      const socket = await getRuntime().udp.bind({ host: HOST, port: 0 });
      sockets.push(socket);
      return socket;
    };
    /** A node:dgram peer on an OS-chosen port that answers every datagram with `answer(bytes)` (nothing when undefined). */
    const peer = async (answer?: (bytes: Buffer) => Uint8Array | undefined): Promise<{ socket: Socket; port: number }> => {
      const socket = createSocket("udp4");
      peers.push(socket);
      socket.on("error", () => undefined);
      if (answer !== undefined) {
        socket.on("message", (bytes, from) => {
          const reply = answer(bytes);
          if (reply !== undefined) socket.send(reply, from.port, from.address);
        });
      }
      await new Promise<void>((resolve) => socket.bind({ port: 0, address: HOST }, resolve));
      return { socket, port: socket.address().port };
    };
    const sendFrom = (socket: Socket, bytes: Uint8Array, port: number): Promise<void> =>
      new Promise((resolve, reject) => socket.send(bytes, port, HOST, (error) => (error ? reject(error) : resolve())));

    it(
      "bind reports the address the OS chose; sendTo and recvFrom echo through a node:dgram peer, with the sender's address (seq)",
      async () => {
        const socket = await bind();
        expect(socket.localAddress).toEqual({ host: HOST, port: expect.any(Number), family: "IPv4" });
        expect(socket.localAddress.port).toBeGreaterThan(0);
        const echo = await peer((bytes) => bytes);
        for (let i = 0; i < IN_FLIGHT; i++) {
          const bytes = datagram(i);
          expect(await socket.sendTo(bytes, { host: HOST, port: echo.port })).toBe(bytes.byteLength);
          const dst = new Uint8Array(4096);
          const got = await socket.recvFrom(dst);
          expect(got).toEqual({ length: bytes.byteLength, from: { host: HOST, port: echo.port, family: "IPv4" }, truncated: false });
          expect(equalBytes(dst.subarray(0, got.length), bytes), `datagram ${i}`).toBe(true);
        }
      },
      TIMEOUT,
    );

    it(
      "bind takes a SocketAddress (its family included), as its UdpAddress type says: another socket's address with port 0",
      async () => {
        const first = await bind();
        const second = await getRuntime().udp.bind({ ...first.localAddress, port: 0 });
        sockets.push(second);
        expect(second.localAddress).toEqual({ host: HOST, port: expect.any(Number), family: "IPv4" });
        expect(second.localAddress.port).not.toBe(first.localAddress.port);
        await expect(getRuntime().udp.bind({ host: HOST, port: 0, family: "IPv5" } as never)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput" }));
      },
      TIMEOUT,
    );

    it(
      `${IN_FLIGHT} receives in flight each get one whole datagram, in arrival order (con)`,
      async () => {
        const socket = await bind();
        const sender = await peer();
        const dsts = Array.from({ length: IN_FLIGHT }, () => new Uint8Array(4096));
        const receives = dsts.map((dst) => socket.recvFrom(dst));
        for (let i = 0; i < IN_FLIGHT; i++) await sendFrom(sender.socket, datagram(i), socket.localAddress.port);
        const got = await Promise.all(receives);
        got.forEach((received, i) => {
          expect([received.length, received.truncated, received.from.port], `receive ${i}`).toEqual([datagram(i).byteLength, false, sender.port]);
          expect(equalBytes((dsts[i] as Uint8Array).subarray(0, received.length), datagram(i)), `receive ${i}`).toBe(true);
        });
      },
      TIMEOUT,
    );

    it(
      `${IN_FLIGHT} sends in flight arrive as ${IN_FLIGHT} whole datagrams (con)`,
      async () => {
        const socket = await bind();
        const received: Buffer[] = [];
        let allArrived!: () => void;
        const arrived = new Promise<void>((resolve) => (allArrived = resolve));
        const receiver = await peer((bytes) => {
          received.push(bytes);
          if (received.length === IN_FLIGHT) allArrived();
          return undefined;
        });
        const sends = Array.from({ length: IN_FLIGHT }, (_, i) => socket.sendTo(datagram(i), { host: HOST, port: receiver.port }));
        expect(await Promise.all(sends)).toEqual(Array.from({ length: IN_FLIGHT }, (_, i) => datagram(i).byteLength));
        await arrived;
        const byIndex = new Map(received.map((bytes) => [(bytes[0] as number) * 256 + (bytes[1] as number), bytes]));
        for (let i = 0; i < IN_FLIGHT; i++) expect(equalBytes(byIndex.get(i) ?? new Uint8Array(0), datagram(i)), `datagram ${i}`).toBe(true);
      },
      TIMEOUT,
    );

    it(
      "two runtime sockets ping-pong, each replying to the sender recvFrom reported",
      async () => {
        const [a, b] = [await bind(), await bind()];
        const dst = new Uint8Array(64);
        for (let i = 0; i < 16; i++) {
          await a.sendTo(datagram(i).subarray(0, 32), b.localAddress);
          const got = await b.recvFrom(dst);
          expect(got.from).toEqual(a.localAddress);
          await b.sendTo(dst.subarray(0, got.length), got.from);
          expect((await a.recvFrom(dst)).length).toBe(32);
          expect(equalBytes(dst.subarray(0, 32), datagram(i).subarray(0, 32)), `round ${i}`).toBe(true);
        }
      },
      TIMEOUT,
    );

    it(
      "a datagram longer than the buffer is truncated and says so; the next one is whole",
      async () => {
        const socket = await bind();
        const sender = await peer();
        const long = seededBytes(1000, 0xd6d6);
        await sendFrom(sender.socket, long, socket.localAddress.port);
        await sendFrom(sender.socket, long.subarray(0, 10), socket.localAddress.port);
        const dst = new Uint8Array(100);
        expect(await socket.recvFrom(dst)).toEqual(expect.objectContaining({ length: 100, truncated: true }));
        expect(equalBytes(dst, long.subarray(0, 100))).toBe(true);
        expect(await socket.recvFrom(dst)).toEqual(expect.objectContaining({ length: 10, truncated: false }));
      },
      TIMEOUT,
    );

    it(
      "an empty datagram is one datagram of length 0",
      async () => {
        const socket = await bind();
        const sender = await peer();
        await sendFrom(sender.socket, new Uint8Array(0), socket.localAddress.port);
        expect(await socket.recvFrom(new Uint8Array(8))).toEqual(expect.objectContaining({ length: 0, truncated: false }));
      },
      TIMEOUT,
    );

    it(
      "connect fixes the peer: send needs no address and remoteAddress says who",
      async () => {
        const socket = await bind();
        const echo = await peer((bytes) => bytes);
        await expect(socket.send(new Uint8Array(1))).rejects.toThrow(kind("InvalidInput"));
        await socket.connect({ host: HOST, port: echo.port });
        expect(socket.remoteAddress).toEqual({ host: HOST, port: echo.port, family: "IPv4" });
        expect(await socket.send(new Uint8Array([1, 2, 3]))).toBe(3);
        const dst = new Uint8Array(8);
        expect((await socket.recvFrom(dst)).length).toBe(3);
        expect([...dst.subarray(0, 3)]).toEqual([1, 2, 3]);
      },
      TIMEOUT,
    );

    it(
      "a receive with timeoutMs fails TimedOut and leaves the queue: the next datagram goes to the next receive",
      async () => {
        const socket = await bind();
        const sender = await peer();
        const lost = new Uint8Array(8);
        await expect(socket.recvFrom(lost, { timeoutMs: 30 })).rejects.toThrow(kind("TimedOut"));
        await sendFrom(sender.socket, new Uint8Array([7, 7]), socket.localAddress.port);
        expect((await socket.recvFrom(new Uint8Array(8))).length).toBe(2);
        expect([...lost]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      },
      TIMEOUT,
    );

    it(
      "close settles pending receives with kind Closed; later calls fail Closed",
      async () => {
        const socket = await bind();
        const receives = Array.from({ length: 8 }, () => socket.recvFrom(new Uint8Array(8)));
        // Handled from the start: close() may settle them a turn before it resolves itself.
        for (const receive of receives) receive.catch(() => undefined);
        await socket.close();
        for (const receive of receives) await expect(receive).rejects.toThrow(kind("Closed"));
        await expect(socket.recvFrom(new Uint8Array(8))).rejects.toThrow(kind("Closed"));
        await expect(socket.sendTo(new Uint8Array(1), { host: HOST, port: 9 })).rejects.toThrow(kind("Closed"));
        await socket.close();
      },
      TIMEOUT,
    );

    it(
      "bad addresses and oversized datagrams are InvalidInput naming the problem; a taken port is AddrInUse",
      async () => {
        const rt = getRuntime();
        await expect(rt.udp.bind({ host: HOST, port: 70_000 })).rejects.toThrow(/bind: "port"/);
        await expect(rt.udp.bind({ host: HOST, port: 0, reuse: true } as never)).rejects.toThrow(/unknown option "reuse"/);
        const socket = await bind();
        // node:dgram's code and text on every backend (uring once wrote `EADDRINUSE: …, bind`).
        await expect(rt.udp.bind({ host: HOST, port: socket.localAddress.port })).rejects.toThrow(
          expect.objectContaining({ kind: "AddrInUse", code: "EADDRINUSE", message: `bind EADDRINUSE ${HOST}:${socket.localAddress.port}` }),
        );
        await expect(socket.sendTo(new Uint8Array(70_000), { host: HOST, port: 9 })).rejects.toThrow(/at most 65507 bytes/);
        await expect(socket.sendTo(new Uint8Array(1), { host: HOST } as never)).rejects.toThrow(kind("InvalidInput"));
      },
      TIMEOUT,
    );

    it(
      "the same bad destination is the same InvalidInput on every backend: port 0, a host with a NUL or a space, an IPv6 peer of an IPv4 socket, sendTo on a connected socket",
      async () => {
        const rt = getRuntime();
        const socket = await bind();
        const one = new Uint8Array(1);
        await expect(socket.sendTo(one, { host: HOST, port: 0 })).rejects.toThrow(kind("InvalidInput", /port must be from 1 to 65535/));
        await expect(socket.connect({ host: HOST, port: 0 })).rejects.toThrow(kind("InvalidInput", /port must be from 1 to 65535/));
        // A NUL would cut the name short where the resolver reads it.
        await expect(socket.sendTo(one, { host: `${HOST}\0`, port: 9 })).rejects.toThrow(kind("InvalidInput", /control characters/));
        await expect(socket.sendTo(one, { host: "local host", port: 9 })).rejects.toThrow(kind("InvalidInput"));
        await expect(rt.net.connect({ host: `${HOST}\0`, port: 9 })).rejects.toThrow(kind("InvalidInput", /control characters/));
        await expect(rt.udp.bind({ host: `${HOST}\n`, port: 0 })).rejects.toThrow(kind("InvalidInput"));
        await expect(socket.sendTo(one, { host: "::1", port: 9 })).rejects.toThrow(kind("InvalidInput"));
        const peer = await bind();
        await socket.connect(peer.localAddress);
        await expect(socket.sendTo(one, peer.localAddress)).rejects.toThrow(kind("InvalidInput", /connected; use send/));
        expect(await socket.send(one)).toBe(1);
      },
      TIMEOUT,
    );
  });
}
