/**
 * uring TCP writes try the socket first (`directSends`): a write the socket's buffer can take is
 * one non-blocking sendmsg on the JS thread, from the caller's own bytes, and no SEND; what the
 * buffer does not take goes to the ring, and the stream's bytes stay in order. Checked here: an
 * idle stream's writes never touch the ring; a write larger than the peer lets through is taken
 * in part at once and finished by SENDs, and the writes queued behind it follow it; plain memory
 * detached right after the call still goes out whole; `directSends: false` sends through the
 * ring; a peer that reset the connection fails the write and every later one.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Completion, Operation, UringBackend } from "../src/UringBackend.js";
import type { UringStream } from "../src/UringStream.js";
import { openUring, probe, type UringRuntime } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const HOST = "127.0.0.1";

/** Counts the SENDs the backend submits. */
function countRingSends(backend: UringBackend): { sends: number } {
  const counts = { sends: 0 };
  const submit = backend.submit.bind(backend);
  const { SEND } = backend.opcodes;
  backend.submit = (operation: Operation, done: Completion): void => {
    if (operation.opcode === SEND) counts.sends++;
    submit(operation, done);
  };
  return counts;
}

/** Resolves with every byte the peer received, once it has `length` of them. */
function collect(peer: Socket, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= length) {
        peer.off("data", onData);
        resolve(Buffer.concat(chunks));
      }
    };
    peer.on("data", onData);
    peer.once("error", reject);
  });
}

/** Writes `pieces` one after another and checks that the peer got exactly their bytes, in order. */
async function writeInTurn(stream: UringStream, peer: Socket, pieces: Uint8Array[]): Promise<void> {
  const expected = Buffer.concat(pieces);
  const received = collect(peer, expected.length);
  for (const piece of pieces) await stream.writeAll(piece);
  expect(Buffer.compare(await received, expected)).toBe(0);
}

const pattern = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe.skipIf(!status.ok)(`uring TCP writes try the socket before the ring${why}`, () => {
  const runtimes: UringRuntime[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  /** A connected uring stream and the node:net socket at its other end. */
  async function setup(options: { directSends?: boolean } = {}): Promise<{ rt: UringRuntime; ring: { sends: number }; stream: UringStream; peer: Socket }> {
    const rt = openUring(options);
    runtimes.push(rt);
    const ring = countRingSends(rt.io);
    const accepted = new Promise<Socket>((resolve) => {
      const server = createServer((socket) => resolve(socket));
      servers.push(server);
      server.listen(0, HOST);
    });
    await new Promise((resolve) => servers.at(-1)?.once("listening", resolve));
    const port = (servers.at(-1)?.address() as { port: number }).port;
    const stream = (await rt.net.connect({ host: HOST, port })) as UringStream;
    const peer = await accepted;
    return { rt, ring, stream, peer };
  }

  it("writes the socket can take go straight to it: no SEND, the peer gets every byte in order", async () => {
    const { rt, ring, stream, peer } = await setup();
    await writeInTurn(stream, peer, [pattern(1024, 1), pattern(1, 2), pattern(60_000, 3)]);
    expect(ring.sends).toBe(0);
    expect(rt.io.directSends).toBe(3);
    peer.destroy();
  });

  it("a write larger than the socket takes is sent in part at once, the rest by SENDs, and the writes behind it follow it", async () => {
    const { rt, ring, stream, peer } = await setup();
    peer.pause(); // nothing is read until every write was submitted: the socket's buffers fill
    const big = new Uint8Array(new SharedArrayBuffer(32 << 20));
    big.set(pattern(1 << 16, 7));
    for (let at = 1 << 16; at < big.length; at *= 2) big.copyWithin(at, 0, at);
    const plain = pattern(48 << 10, 9); // queued behind the big write: bounced in 64 KiB pieces
    const small = pattern(100, 11);
    const writes = [stream.writeAll(big), stream.writeAll(plain), stream.writeAll(small)];
    expect(rt.io.directSends).toBe(1); // the big write took what fit; the others wait behind its SEND
    expect(ring.sends).toBe(1);
    const total = big.length + plain.length + small.length;
    const received = collect(peer, total);
    peer.resume();
    await Promise.all(writes);
    const bytes = await received;
    expect(bytes.length).toBe(total);
    expect(Buffer.compare(bytes.subarray(0, big.length), big)).toBe(0);
    expect(Buffer.compare(bytes.subarray(big.length, big.length + plain.length), plain)).toBe(0);
    expect(Buffer.compare(bytes.subarray(big.length + plain.length), small)).toBe(0);
    peer.destroy();
  });

  it("plain memory detached right after the write returns still goes out whole (the direct send took it during the call)", async () => {
    const { stream, peer } = await setup();
    const src = pattern(4096, 13);
    const expected = Buffer.from(src);
    const received = collect(peer, 4096);
    const done = stream.writeAll(src);
    structuredClone(src.buffer, { transfer: [src.buffer as ArrayBuffer] });
    expect(src.byteLength).toBe(0);
    await done;
    expect(Buffer.compare(await received, expected)).toBe(0);
    peer.destroy();
  });

  it("directSends: false sends every write through the ring", async () => {
    const { rt, ring, stream, peer } = await setup({ directSends: false });
    await writeInTurn(stream, peer, [pattern(1024, 1), pattern(2048, 2)]);
    expect(ring.sends).toBe(2);
    expect(rt.io.directSends).toBe(0);
    peer.destroy();
  });

  it("a write to a peer that reset the connection fails, and so does every write after it", async () => {
    const { stream, peer } = await setup();
    const gone = new Promise((resolve) => peer.once("close", resolve));
    peer.resetAndDestroy();
    await gone;
    // The reset reaches the socket when its first send meets it (or already has): within two
    // writes one fails, with a connection error and not a crash or a hang.
    const first = await stream.writeAll(pattern(16, 1)).then(() => undefined, (error: { kind?: string }) => error.kind);
    const second = await stream.writeAll(pattern(16, 2)).then(() => undefined, (error: { kind?: string }) => error.kind);
    const kinds = [first, second].filter((kind) => kind !== undefined);
    expect(kinds.length).toBeGreaterThan(0);
    for (const kind of kinds) expect(["ConnectionReset", "BrokenPipe"]).toContain(kind);
    await expect(stream.writeAll(pattern(16, 3))).rejects.toMatchObject({ kind: expect.stringMatching(/^(ConnectionReset|BrokenPipe)$/) });
  });
});

describe.skipIf(!status.ok)(`uring TCP receives on a drained socket arm their poll first${why}`, () => {
  const runtimes: UringRuntime[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  /** A uring stream connected to a node:net peer, with the RECVs it submits recorded (their aux2: the poll-first flag). */
  async function connected(refuseFirst: boolean): Promise<{ rt: UringRuntime; stream: UringStream; peer: Socket; recvs: number[] }> {
    const rt = openUring();
    runtimes.push(rt);
    const recvs: number[] = [];
    const submit = rt.io.submit.bind(rt.io);
    let refused = !refuseFirst;
    rt.io.submit = (operation: Operation, done: Completion): void => {
      if (operation.opcode !== rt.io.opcodes.RECV) return submit(operation, done);
      recvs.push(operation.aux2 ?? 0);
      // A kernel before 5.19 answers a RECV that asks for poll-first with -EINVAL.
      if (!refused && operation.aux2 !== 0) {
        refused = true;
        queueMicrotask(() => (typeof done === "function" ? done(-22) : done.complete(-22)));
        return;
      }
      submit(operation, done);
    };
    const accepted = new Promise<Socket>((resolve) => {
      const server = createServer((socket) => resolve(socket));
      servers.push(server);
      server.listen(0, HOST, () => undefined);
    });
    await new Promise((resolve) => servers.at(-1)?.once("listening", resolve));
    const port = (servers.at(-1)?.address() as { port: number }).port;
    const stream = (await rt.net.connect({ host: HOST, port })) as UringStream;
    return { rt, stream, peer: await accepted, recvs };
  }

  /** Three requests the peer sends one at a time, each read by the stream after it was sent. */
  async function pingPong(stream: UringStream, peer: Socket): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const dst = new Uint8Array(new SharedArrayBuffer(4096));
      const read = stream.read(dst);
      peer.write(pattern(100, i));
      expect(await read).toBe(100);
      expect(Buffer.compare(dst.subarray(0, 100), pattern(100, i))).toBe(0);
    }
  }

  it("after a short read (the socket was emptied) the next RECV asks for poll-first, and every byte arrives", async () => {
    const { rt, stream, peer, recvs } = await connected(false);
    await pingPong(stream, peer);
    expect(recvs).toEqual([0, 1, 1]);
    expect(rt.io.recvPollFirst).toBe(true);
    peer.destroy();
  });

  it("a kernel that refuses poll-first gets the same receive again without it, and no RECV asks again", async () => {
    const { rt, stream, peer, recvs } = await connected(true);
    await pingPong(stream, peer);
    expect(recvs).toEqual([0, 1, 0, 0]);
    expect(rt.io.recvPollFirst).toBe(false);
    peer.destroy();
  });
});
