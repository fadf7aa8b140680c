/**
 * uring UDP tries the socket first (`directDatagrams`): a send or a receive the socket can serve
 * now is one non-blocking system call on the JS thread, straight from or into the caller's
 * bytes; only one that would block goes to the ring. Checked here: each datagram goes exactly
 * one way (the direct count plus the ring's SENDMSG/RECVMSG equals the datagrams moved), a send
 * on an idle socket never touches the ring, a receive with nothing queued arms one RECVMSG and
 * no more however many wait, receives keep arrival order and report truncation on both paths,
 * `directDatagrams: false` sends everything through the ring, and a close while a RECVMSG is
 * armed settles every waiting receive Closed and lets the process exit.
 */
import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createSocket, type Socket } from "node:dgram";
import { createRequire } from "node:module";
import { pathToFileURL, fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Completion, Operation, UringBackend } from "../src/UringBackend.js";
import type { UringUdpSocket } from "../src/UringUdpSocket.js";
import { openUring, probe, type UringRuntime } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const HOST = "127.0.0.1";
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Counts the SENDMSG and RECVMSG the backend submits. */
function countRingDatagrams(backend: UringBackend): { sends: number; recvs: number } {
  const counts = { sends: 0, recvs: 0 };
  const submit = backend.submit.bind(backend);
  const { SENDMSG, RECVMSG } = backend.opcodes;
  backend.submit = (operation: Operation, done: Completion): void => {
    if (operation.opcode === SENDMSG) counts.sends++;
    if (operation.opcode === RECVMSG) counts.recvs++;
    submit(operation, done);
  };
  return counts;
}

const sendOne = (socket: Socket, bytes: Uint8Array, port: number): Promise<void> =>
  new Promise((resolve, reject) => socket.send(bytes, port, HOST, (error) => (error ? reject(error) : resolve())));

describe.skipIf(!status.ok)(`uring UDP tries the socket before the ring${why}`, () => {
  const runtimes: UringRuntime[] = [];
  const peers: Socket[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close();
    for (const rt of runtimes.splice(0)) await rt.close();
  });

  async function setup(options: { directDatagrams?: boolean } = {}) {
    const rt = openUring(options);
    runtimes.push(rt);
    const ring = countRingDatagrams(rt.io);
    const socket = await rt.udp.bind({ host: HOST, port: 0 });
    const peer = createSocket("udp4");
    peers.push(peer);
    peer.bind(0, HOST);
    await new Promise((resolve) => peer.once("listening", resolve));
    return { rt, ring, socket, peer, peerPort: peer.address().port };
  }

  it("a send on an idle socket is one direct system call: settled without a SENDMSG, received whole by the peer", async () => {
    const { rt, ring, socket, peer, peerPort } = await setup();
    const arrived = new Promise<Buffer>((resolve) => peer.once("message", resolve));
    // Plain ArrayBuffer memory: a direct send needs no bounce copy (the call is synchronous).
    const bytes = new Uint8Array(100).map((_, i) => i);
    expect(await socket.sendTo(bytes, { host: HOST, port: peerPort })).toBe(100);
    expect([rt.io.directDatagrams, ring.sends]).toEqual([1, 0]);
    expect([...(await arrived)]).toEqual([...bytes]);
  });

  it("a receive with nothing queued arms one RECVMSG, however many receives wait; every datagram goes one way, in arrival order", async () => {
    const { rt, ring, socket, peer } = await setup();
    const count = 64;
    // Receive 3 has a 5-byte buffer: its datagram is cut and says so, on whichever path it takes.
    const dsts = Array.from({ length: count }, (_, i) => new Uint8Array(i === 3 ? 5 : 64));
    const receives = dsts.map((dst) => socket.recvFrom(dst));
    await nextTurn();
    expect([rt.io.inFlight, ring.recvs, rt.io.directDatagrams]).toEqual([1, 1, 0]);
    const datagrams = Array.from({ length: count }, (_, i) => new Uint8Array(20).fill(i));
    for (const bytes of datagrams) await sendOne(peer, bytes, socket.localAddress.port);
    const got = await Promise.all(receives);
    got.forEach((received, i) => {
      expect([received.length, received.truncated, received.from.port], `receive ${i}`).toEqual([i === 3 ? 5 : 20, i === 3, peer.address().port]);
      expect([...(dsts[i] as Uint8Array).subarray(0, received.length)], `receive ${i}`).toEqual([...(datagrams[i] as Uint8Array).subarray(0, received.length)]);
    });
    // Each datagram came either through a RECVMSG or straight from the socket, never both.
    expect(rt.io.directDatagrams + ring.recvs).toBe(count);
    expect(rt.io.inFlight).toBe(0);
  });

  it("datagrams queued before the receives are served from the socket, into the caller's bytes, in order", async () => {
    const { rt, ring, socket, peer } = await setup();
    const count = 32;
    const datagrams = Array.from({ length: count }, (_, i) => new Uint8Array(16).fill(i + 1));
    for (const bytes of datagrams) await sendOne(peer, bytes, socket.localAddress.port);
    const dsts = Array.from({ length: count }, () => new Uint8Array(16));
    const got = await Promise.all(dsts.map((dst) => socket.recvFrom(dst)));
    got.forEach((received, i) => expect([received.length, (dsts[i] as Uint8Array)[0]], `receive ${i}`).toEqual([16, i + 1]));
    expect(rt.io.directDatagrams + ring.recvs).toBe(count);
    // The last datagram left the peer before the first receive started: at most the ones still
    // on their way then took the ring, and the queue served the rest.
    expect(rt.io.directDatagrams).toBeGreaterThan(0);
  });

  it("the addon's direct datagram call refuses an fd the ring did not make (EBADF), and bad lengths", async () => {
    const { rt, socket: bound } = await setup();
    const socket = bound as UringUdpSocket;
    const foreign = openSync(fileURLToPath(import.meta.url), "r");
    try {
      const area = new Uint8Array(256);
      expect(rt.io.datagramNow(foreign, true, new Uint8Array(4), 4, area, 0)).toBe(-9);
      expect(() => rt.io.datagramNow(socket.fd, true, new Uint8Array(4), 8, area, 0)).toThrow(RangeError);
      expect(() => rt.io.datagramNow(socket.fd, true, new Uint8Array(4), 4, new Uint8Array(16), 0)).toThrow(RangeError);
      expect(() => rt.io.datagramNow(socket.fd, true, new Uint8Array(4), 4, area, 4096)).toThrow(RangeError);
      // Nothing queued: a receive would block, and says so instead of waiting.
      expect(rt.io.datagramNow(socket.fd, false, new Uint8Array(4), 4, area, 0)).toBe(-11);
    } finally {
      closeSync(foreign);
    }
  });

  it("directDatagrams: false moves every datagram through the ring", async () => {
    const { rt, ring, socket, peer, peerPort } = await setup({ directDatagrams: false });
    const echoed = new Promise<void>((resolve) => peer.once("message", (message, from) => peer.send(message, from.port, from.address, () => resolve())));
    const reply = socket.recvFrom(new Uint8Array(64));
    expect(await socket.sendTo(new Uint8Array(8).fill(7), { host: HOST, port: peerPort })).toBe(8);
    await echoed;
    const got = await reply;
    expect([got.length, got.from.port]).toEqual([8, peerPort]);
    expect([rt.io.directDatagrams, ring.sends, ring.recvs]).toEqual([0, 1, 1]);
  });

  it("a close while a RECVMSG is armed settles every waiting receive with kind Closed, and the process exits by itself", () => {
    const requireHere = createRequire(import.meta.url);
    const tsx = pathToFileURL(requireHere.resolve("tsx")).href;
    const source = pathToFileURL(fileURLToPath(new URL("../src/index.ts", import.meta.url))).href;
    // No rt.close(): the closed socket must leave nothing that holds the event loop.
    const script = `import(${JSON.stringify(source)}).then(async (m) => {
      const rt = m.openUring();
      const socket = await rt.udp.bind({ host: "127.0.0.1", port: 0 });
      const first = socket.recvFrom(new Uint8Array(64)).then(() => "delivered", (error) => error.kind);
      const receives = Array.from({ length: 6 }, () => socket.recvFrom(new Uint8Array(64)).then(() => "delivered", (error) => error.kind));
      const peer = (await import("node:dgram")).createSocket("udp4");
      await new Promise((resolve) => peer.send(new Uint8Array(4), socket.localAddress.port, "127.0.0.1", resolve));
      peer.close();
      const delivered = await first;
      await new Promise((resolve) => setImmediate(resolve));
      const armed = rt.io.inFlight;
      await socket.close();
      console.log(JSON.stringify({ delivered, armed, kinds: await Promise.all(receives), inFlight: rt.io.inFlight }));
    });`;
    const run = spawnSync(process.execPath, ["--import", tsx, "--conditions=pktio-source", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // Six receives were waiting once the first was served: one RECVMSG, bound to the oldest, was armed at the close.
    expect(JSON.parse(run.stdout)).toEqual({ delivered: "delivered", armed: 1, kinds: Array.from({ length: 6 }, () => "Closed"), inFlight: 0 });
  });
});
