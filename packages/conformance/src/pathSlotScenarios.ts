/**
 * Slots per path (design.md §8): operations blocked on one path (reads of a FIFO nobody writes)
 * never delay another path's (a regular file's read), on every backend. The scenario waits for
 * the file read's completion while the FIFO reads are still pending — no durations; a starved
 * read fails at the bounded TIMEOUT. Run on the suite's runtime and, where the backend gives
 * one, on a runtime with a single runtime-wide slot (`maxInFlight: 1`), where a socket read that
 * never completes (a node:net peer that stays silent) is pending too.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, Packet, Write, type Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "./rng.js";

const TIMEOUT = 20_000;
/** More blocked reads than libuv's pool has threads (4) and than threaded has workers. */
const BLOCKED = 8;

export function describePathSlots(getRuntime: () => Runtime, narrowRuntime?: () => Runtime | Promise<Runtime>): void {
  describe("slots per path", () => {
    let dir: string;
    let missing: string | undefined;
    let count = 0;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pktio-slots-"));
      try {
        execFileSync("mkfifo", [join(dir, "probe")], { stdio: "ignore" });
      } catch (error) {
        missing = `mkfifo is not available here (${String(error)})`;
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const scenario = async (rt: Runtime, silentSocket = false): Promise<void> => {
      const fifoPath = join(dir, `fifo-${count}`);
      const filePath = join(dir, `file-${count++}`);
      execFileSync("mkfifo", [fifoPath]);
      const data = seededBytes(64 * 1024, 0x5107);
      writeFileSync(filePath, data);
      const fifo = await rt.fs.open(fifoPath, { read: true, write: true });
      const file = await rt.fs.open(filePath);
      const packets = Array.from({ length: BLOCKED }, () => Packet.alloc(1, Write));
      let fifoSettled = 0;
      const blocked = packets.map((packet) => io(fifo, 0, packet).then((result) => (fifoSettled++, result)));
      const silent = silentSocket ? await silentPeer(rt) : undefined;
      // The file's read completes while every FIFO read is still waiting for data.
      const dst = new Uint8Array(data.byteLength);
      await file.readExactAt(0, dst);
      expect(fifoSettled, "a FIFO read settled before the file read: the scenario proves nothing").toBe(0);
      expect(silent?.settled ?? false, "the socket read settled before the file read").toBe(false);
      await silent?.close();
      expect(Buffer.compare(dst, data)).toBe(0);
      writeFileSync(fifoPath, new Uint8Array(BLOCKED), { flag: "a" });
      const results = await Promise.all(blocked);
      expect(results.map((result) => result.transferred)).toEqual(packets.map(() => 1));
      await file.close();
      await fifo.close();
    };

    it(
      `${BLOCKED} reads blocked on a FIFO do not delay a regular file's read`,
      async (context) => {
        if (missing !== undefined) return context.skip(missing);
        await scenario(getRuntime());
      },
      TIMEOUT,
    );

    it.skipIf(narrowRuntime === undefined)(
      `with one runtime-wide slot, ${BLOCKED} reads blocked on a FIFO and a socket read nobody answers do not delay a regular file's read${narrowRuntime === undefined ? " (skipped: the backend has no runtime-wide slot option)" : ""}`,
      async (context) => {
        if (missing !== undefined) return context.skip(missing);
        const rt = await (narrowRuntime as () => Runtime | Promise<Runtime>)();
        try {
          await scenario(rt, true);
        } finally {
          await rt.close();
        }
      },
      TIMEOUT,
    );
  });
}

/** A runtime stream to a node:net server that never writes, with one read pending on it. */
async function silentPeer(rt: Runtime): Promise<{ readonly settled: boolean; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const stream = await rt.net.connect({ host: "127.0.0.1", port: (server.address() as { port: number }).port });
  let settled = false;
  const read = stream.read(new Uint8Array(16)).then(
    () => (settled = true),
    () => (settled = true),
  );
  return {
    get settled() {
      return settled;
    },
    async close() {
      await stream.close();
      await read;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
