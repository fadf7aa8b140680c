/**
 * uring UDP with several receives waiting: pooled RECVMSG (one per waiting receive, at most
 * UDP_RECV_DEPTH) deliver datagrams in arrival order, report truncation against the caller's
 * buffer, and a close while they are armed settles every receive Closed and lets the process exit.
 */
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { createRequire } from "node:module";
import { pathToFileURL, fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openUring, probe } from "../src/index.js";
import { UDP_RECV_DEPTH } from "../src/UringUdpSocket.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const HOST = "127.0.0.1";
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function sendFrom(port: number, datagrams: Uint8Array[]): Promise<void> {
  const socket = createSocket("udp4");
  for (const bytes of datagrams) await new Promise<void>((resolve, reject) => socket.send(bytes, port, HOST, (error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

describe.skipIf(!status.ok)(`uring UDP pooled receives${why}`, () => {
  it("several waiting receives have as many RECVMSG in flight (capped) and get the datagrams in arrival order", async () => {
    const rt = openUring();
    const socket = await rt.udp.bind({ host: HOST, port: 0 });
    const waiting = UDP_RECV_DEPTH + 4;
    const dsts = Array.from({ length: waiting }, (_, i) => new Uint8Array(i === 1 ? 8 : 64));
    const receives = dsts.map((dst) => socket.recvFrom(dst));
    await nextTurn();
    // The first receive was alone when it started: one bound RECVMSG; the rest wait for it.
    expect(rt.io.inFlight).toBe(1);
    const datagrams = Array.from({ length: waiting }, (_, i) => new Uint8Array(32).fill(i));
    await sendFrom(socket.localAddress.port, datagrams.slice(0, 1));
    await receives[0];
    await nextTurn();
    expect(rt.io.inFlight).toBe(UDP_RECV_DEPTH);
    await sendFrom(socket.localAddress.port, datagrams.slice(1));
    const got = await Promise.all(receives);
    got.forEach((received, i) => {
      // Receive 1 has an 8-byte buffer: its datagram is cut and says so, though the pooled buffer held it all.
      expect([received.length, received.truncated], `receive ${i}`).toEqual(i === 1 ? [8, true] : [32, false]);
      expect([...(dsts[i] as Uint8Array).subarray(0, received.length)], `receive ${i}`).toEqual([...(datagrams[i] as Uint8Array).subarray(0, received.length)]);
    });
    await socket.close();
    expect(rt.io.inFlight).toBe(0);
    await rt.close();
  });

  it("a close while pooled receives are armed settles each with kind Closed, and the process exits by itself", () => {
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
      console.log(JSON.stringify({ delivered, armed, kinds: await Promise.all(receives) }));
    });`;
    const run = spawnSync(process.execPath, ["--import", tsx, "--conditions=pktio-source", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // Six receives were waiting once the first was served: six pooled RECVMSG were armed at the close.
    expect(JSON.parse(run.stdout)).toEqual({ delivered: "delivered", armed: 6, kinds: Array.from({ length: 6 }, () => "Closed") });
  });
});
