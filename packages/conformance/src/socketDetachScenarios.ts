/**
 * The ownership contract on sockets (issue 11's, for streams and datagrams): a caller that detaches
 * the buffer of a read or receive that waits (or, where a backend receives into memory of its
 * own, is in flight) gets that operation failed with kind InvalidInput, never a hang or a stray
 * TypeError, and loses no bytes: what the kernel delivered goes to the next read, the next
 * datagram to the next receive. Every wait here waits for an event.
 */
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import type { Runtime, UdpSocket } from "@pktio/core";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { HOST, NetPeers } from "./internal/NetPeers.js";

const TIMEOUT = 10_000;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Moves the buffer's memory to a clone that is dropped at once: the caller's view is detached. */
function detach(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] });
}

/** An operation's outcome, its handler attached at once. */
const outcome = <T>(promise: Promise<T>): Promise<{ value: T } | { error: { kind?: string; message?: string } }> =>
  promise.then(
    (value) => ({ value }),
    (error: { kind?: string; message?: string }) => ({ error }),
  );

export function describeSocketDetach(getRuntime: () => Runtime): void {
  describe("sockets: detached buffers", () => {
    let peers: NetPeers;
    const udp: UdpSocket[] = [];
    const dgram: DgramSocket[] = [];
    peers = new NetPeers();
    afterEach(async () => {
      await peers.closeAll();
      peers = new NetPeers();
      await Promise.allSettled(udp.splice(0).map((socket) => socket.close()));
      for (const socket of dgram.splice(0)) socket.close();
    });

    it(
      "a stream read whose buffer is detached while it waits fails InvalidInput; the bytes go to the next read, none lost",
      async () => {
        const payload = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 0xff);
        // The server answers the trigger byte, sent once every read is queued and two are detached.
        const port = await peers.server((socket) => socket.once("data", () => socket.write(payload)));
        const stream = peers.adopt(await getRuntime().net.connect({ host: HOST, port }));
        const dsts = Array.from({ length: 4 }, () => new Uint8Array(1024));
        const reads = dsts.map((dst) => outcome(stream.read(dst)));
        // The oldest may already be in the kernel (into a backend's private memory), the third waits.
        detach(dsts[0] as Uint8Array);
        detach(dsts[2] as Uint8Array);
        await stream.writeAll(new Uint8Array([1]));
        const [first, second, third, fourth] = await Promise.all(reads);
        for (const failed of [first, third]) {
          expect(failed).toEqual({ error: expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/detached/) }) });
        }
        if (!(second && "value" in second && fourth && "value" in fourth)) throw new Error(`reads 2 and 4 failed: ${JSON.stringify([second, fourth])}`);
        const got = second.value + fourth.value;
        expect(second.value).toBeGreaterThan(0);
        // Read 2 has the stream's first bytes, read 4 the ones right after them.
        expect([...(dsts[1] as Uint8Array).subarray(0, second.value)]).toEqual([...payload.subarray(0, second.value)]);
        expect([...(dsts[3] as Uint8Array).subarray(0, fourth.value)]).toEqual([...payload.subarray(second.value, got)]);
        const rest = await stream.readExact(payload.byteLength - got);
        expect([...rest]).toEqual([...payload.subarray(got)]);
      },
      TIMEOUT,
    );

    it(
      "a readExact whose buffer is detached after part of it arrived fails InvalidInput (no TypeError, no empty success); the later bytes go to the next read",
      async () => {
        // The server sends four bytes at once and four more when the client's trigger byte comes.
        const port = await peers.server((socket) => {
          socket.write(Buffer.from([1, 2, 3, 4]));
          socket.once("data", () => socket.write(Buffer.from([5, 6, 7, 8])));
        });
        const stream = peers.adopt(await getRuntime().net.connect({ host: HOST, port }));
        const dst = new Uint8Array(8);
        const exact = outcome(stream.readExact(dst));
        // The event: the first piece's bytes are in dst (the call now waits for the rest).
        while (dst[3] !== 4) await new Promise((resolve) => setImmediate(resolve));
        detach(dst);
        await stream.writeAll(new Uint8Array([1]));
        expect(await exact).toEqual({ error: expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/detached/) }) });
        // The first four went with the detached buffer; the next four are the stream's next bytes.
        expect([...(await stream.readExact(4))]).toEqual([5, 6, 7, 8]);
      },
      TIMEOUT,
    );

    it(
      "a stream write whose buffer is detached right after the call settles (done, or InvalidInput), the peer gets none but its bytes, and the stream keeps working",
      async () => {
        let peerSocket: import("node:net").Socket | undefined;
        const chunks: Buffer[] = [];
        let ended!: () => void;
        const peerEnded = new Promise<void>((resolve) => (ended = resolve));
        let connected!: () => void;
        const peerConnected = new Promise<void>((resolve) => (connected = resolve));
        const port = await peers.server((socket) => {
          // The peer reads nothing until both writes are queued: most of the big one waits in
          // the backend (or Node's) queue when its buffer is detached.
          socket.pause();
          socket.on("data", (chunk: Buffer) => chunks.push(chunk));
          socket.on("end", () => ended());
          peerSocket = socket;
          connected();
        });
        const stream = peers.adopt(await getRuntime().net.connect({ host: HOST, port }));
        await peerConnected;
        const big = new Uint8Array(8 * 1024 * 1024).fill(1);
        const small = new Uint8Array(1024).fill(2);
        const first = outcome(stream.writeAll(big));
        const second = outcome(stream.writeAll(small));
        detach(big);
        // Collect the clone now: its memory goes back to the system, so a backend still pointing
        // at it would send EFAULT (or another allocation's bytes) instead of the payload.
        gc();
        peerSocket?.resume();
        const [bigOutcome, smallOutcome] = await Promise.all([first, second]);
        if ("error" in bigOutcome) expect(bigOutcome.error).toEqual(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/detached/) }));
        expect(smallOutcome).toEqual({ value: undefined });
        await stream.shutdown("write");
        await peerEnded;
        const got = Buffer.concat(chunks);
        // Ones (a prefix of the big write, all of it when it succeeded), then the small write's twos.
        const ones = got.indexOf(2);
        expect(ones).toBeGreaterThanOrEqual(0);
        expect(got.subarray(0, ones).every((byte) => byte === 1)).toBe(true);
        expect(got.subarray(ones).equals(Buffer.from(small))).toBe(true);
        if ("value" in bigOutcome) expect(ones).toBe(8 * 1024 * 1024);
      },
      TIMEOUT,
    );

    it(
      "a receive whose buffer is detached while it waits fails InvalidInput; the datagram goes to the next receive, none lost",
      async () => {
        const socket = await getRuntime().udp.bind({ host: HOST, port: 0 });
        udp.push(socket);
        const peer = createSocket("udp4");
        dgram.push(peer);
        await new Promise<void>((resolve) => peer.bind(0, HOST, resolve));
        const dsts = Array.from({ length: 4 }, () => new Uint8Array(64));
        const receives = dsts.map((dst) => outcome(socket.recvFrom(dst)));
        detach(dsts[0] as Uint8Array);
        detach(dsts[2] as Uint8Array);
        for (let i = 0; i < 3; i++) {
          await new Promise<void>((resolve, reject) => peer.send(new Uint8Array(8).fill(i + 1), socket.localAddress.port, HOST, (error) => (error ? reject(error) : resolve())));
        }
        const [first, second, third, fourth] = await Promise.all(receives);
        for (const failed of [first, third]) {
          expect(failed).toEqual({ error: expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/detached/) }) });
        }
        expect(second).toEqual({ value: { length: 8, from: { host: HOST, port: peer.address().port, family: "IPv4" }, truncated: false } });
        expect(fourth).toEqual({ value: expect.objectContaining({ length: 8 }) });
        expect([(dsts[1] as Uint8Array)[0], (dsts[3] as Uint8Array)[0]]).toEqual([1, 2]);
        // The third datagram is still there for the next receive.
        const last = new Uint8Array(64);
        expect(await socket.recvFrom(last)).toEqual(expect.objectContaining({ length: 8 }));
        expect(last[0]).toBe(3);
      },
      TIMEOUT,
    );
  });
}
