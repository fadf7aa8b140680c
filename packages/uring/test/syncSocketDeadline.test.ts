/**
 * A sync socket call on uring blocks in io_uring_enter, where no JS timer can fire: its
 * `timeoutMs`, and the connection deadline's time left, go to the kernel as a LINK_TIMEOUT on
 * the RECV or SEND (design.md §7, "Blocking calls cannot be interrupted on the calling thread").
 * Before, `readExactSync(4, { timeoutMs: 200 })` with nothing sent, and `writeAllSync` to a peer
 * that reads nothing, blocked for ever. Checked: each fails TimedOut; the bytes that come after a
 * timed-out read go to the next read; a write cut short counts what went out.
 */
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openUring, probe, type UringRuntime } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const HOST = "127.0.0.1";
const kind = (k: string): unknown => expect.objectContaining({ kind: k });

describe.skipIf(!status.ok)(`uring sync socket calls end at their deadline${why}`, () => {
  let rt: UringRuntime | undefined;
  let server: Server | undefined;
  const peers: Socket[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.destroy();
    await rt?.close();
    server?.close();
    rt = undefined;
    server = undefined;
  });

  /** A stream on the ring and its node:net peer, which reads nothing unless told to. */
  async function connected(): Promise<{ stream: Awaited<ReturnType<UringRuntime["net"]["connect"]>>; peer: Socket }> {
    rt = openUring();
    const accepted = new Promise<Socket>((resolve) => {
      server = createServer((socket) => {
        socket.pause();
        peers.push(socket);
        resolve(socket);
      });
    });
    server?.listen(0, HOST);
    await once(server as Server, "listening");
    const port = (server?.address() as { port: number }).port;
    const stream = await rt.net.connect({ host: HOST, port });
    return { stream, peer: await accepted };
  }

  it("readExactSync with timeoutMs, and under setDeadline, fails TimedOut; the bytes sent later go to the next read", async () => {
    const { stream, peer } = await connected();
    expect(() => stream.readExactSync(4, { timeoutMs: 100 })).toThrow(kind("TimedOut"));
    stream.setDeadline(100);
    expect(() => stream.readExactSync(4)).toThrow(kind("TimedOut"));
    stream.setDeadline(null);
    peer.write(Buffer.from([1, 2, 3, 4]));
    expect([...stream.readExactSync(4, { timeoutMs: 5000 })]).toEqual([1, 2, 3, 4]);
  });

  it("writeAllSync to a peer that reads nothing fails TimedOut; the peer gets a prefix of the bytes", async () => {
    const { stream, peer } = await connected();
    // 32 MiB never fit the two sockets' buffers while the peer reads nothing.
    const data = new Uint8Array(32 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 509) data[i] = (i / 509) & 0xff;
    expect(() => stream.writeAllSync(data, { timeoutMs: 100 })).toThrow(kind("TimedOut"));
    await stream.close();
    peer.resume();
    const chunks: Buffer[] = [];
    for await (const chunk of peer) chunks.push(chunk as Buffer);
    const received = Buffer.concat(chunks);
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan(data.length);
    expect(Buffer.compare(received, Buffer.from(data.subarray(0, received.length)))).toBe(0);
  });
});
