/**
 * The scenarios every real server runs (send, webdav-server, nginx): a server is a function that
 * starts it on loopback serving the fixture's directory. Every byte read is compared with the
 * file on disk; reads run one by one, many in flight, and as property-style random views.
 */
import fc from "fast-check";
import { IoError, Packet, Write, io, whenReleased } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHttpFile, type HttpFile } from "../src/index.js";
import { utimesSync, writeFileSync } from "node:fs";
import { makeFixture, seededBytes, type Fixture } from "./servers/fixture.js";
import type { RunningServer } from "./servers/sendServer.js";

/** How to start one server over a directory; `skip` says why it cannot run here. */
export interface ServerUnderTest {
  readonly name: string;
  readonly start: (root: string) => Promise<RunningServer>;
  readonly skip?: string | undefined;
  /** Why the server cannot show a change of the file (it sends no ETag nor Last-Modified), if it cannot. */
  readonly unversioned?: string | undefined;
}

const FILE_SIZE = 3 * 1024 * 1024 + 123;

export function describeHttpServer(server: ServerUnderTest): void {
  describe.skipIf(server.skip !== undefined)(`${server.name}${server.skip === undefined ? "" : ` (skipped: ${server.skip})`}`, () => {
    let fixture: Fixture;
    let running: RunningServer;
    let url: string;

    beforeAll(async () => {
      fixture = makeFixture(FILE_SIZE, 0x5eed ^ server.name.length);
      running = await server.start(fixture.dir);
      url = running.baseUrl + fixture.name;
    });
    afterAll(async () => {
      await running?.close();
      fixture?.remove();
    });

    it("opens with the file's size and reads bytes equal to the file on disk", async () => {
      const file = await openHttpFile(url);
      try {
        expect(file.sizeSync()).toBe(FILE_SIZE);
        expect((await file.stat()).size).toBe(FILE_SIZE);
        for (const [pos, length] of [[0, 1], [0, 4096], [12345, 70000], [FILE_SIZE - 10, 10], [1 << 20, 1 << 20]] as const) {
          const dst = new Uint8Array(length);
          await file.readExactAt(pos, dst);
          expect(Buffer.from(dst).equals(Buffer.from(fixture.bytes.subarray(pos, pos + length))), `${pos}+${length}`).toBe(true);
        }
      } finally {
        await file.close();
      }
    });

    it("a read across the end is short; one past it is 0 and readExactAt fails UnexpectedEof", async () => {
      const file = await openHttpFile(url);
      try {
        const dst = new Uint8Array(100);
        expect(await file.readAt(FILE_SIZE - 40, dst)).toBe(40);
        expect(Buffer.from(dst.subarray(0, 40)).equals(Buffer.from(fixture.bytes.subarray(FILE_SIZE - 40)))).toBe(true);
        expect(await file.readAt(FILE_SIZE, dst)).toBe(0);
        await expect(file.readExactAt(FILE_SIZE - 40, dst)).rejects.toMatchObject({ kind: "UnexpectedEof" });
      } finally {
        await file.close();
      }
    });

    it("readToEnd, a cursor and a Node stream give the whole file", async () => {
      const file = await openHttpFile(url, { maxRequestBytes: 256 * 1024 });
      try {
        expect(Buffer.from(await file.readToEnd()).equals(Buffer.from(fixture.bytes))).toBe(true);
        const cursor = file.cursor(100);
        const head = new Uint8Array(8);
        await cursor.readExact(head);
        expect(Buffer.from(head).equals(Buffer.from(fixture.bytes.subarray(100, 108)))).toBe(true);
        const chunks: Buffer[] = [];
        for await (const chunk of file.createReadable({ start: 1000 })) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).equals(Buffer.from(fixture.bytes.subarray(1000)))).toBe(true);
      } finally {
        await file.close();
      }
    });

    it("512 reads in flight, near ones coalesced into fewer requests, every byte right", async () => {
      const file = await openHttpFile(url, { connections: 8 });
      try {
        const reads = Array.from({ length: 512 }, (_, index) => {
          const pos = (index * 6151) % (FILE_SIZE - 4096);
          const dst = new Uint8Array(4096);
          return file.readExactAt(pos, dst).then(() => ({ pos, dst }));
        });
        for (const { pos, dst } of await Promise.all(reads)) {
          expect(Buffer.from(dst).equals(Buffer.from(fixture.bytes.subarray(pos, pos + 4096))), String(pos)).toBe(true);
        }
        expect(file.stats.requests).toBeLessThan(512);
        expect(file.stats.retries).toBe(0);
      } finally {
        await file.close();
      }
    });

    it("random views (fast-check): each packet's bytes and length match the file", async () => {
      const file = await openHttpFile(url, { coalesceGap: 4096, maxRequestBytes: 64 * 1024, connections: 4 });
      try {
        const view = fc.record({ pos: fc.integer({ min: 0, max: FILE_SIZE + 10 }), length: fc.integer({ min: 0, max: 200_000 }) });
        await fc.assert(
          fc.asyncProperty(fc.array(view, { minLength: 1, maxLength: 24 }), async (views) => {
            const results = await Promise.all(views.map(async ({ pos, length }) => ({ pos, length, packet: Packet.alloc(length, Write), result: undefined as unknown })).map(async (entry) => {
              const item = await entry;
              item.result = await io(file, item.pos, item.packet);
              return item;
            }));
            for (const { pos, length, packet, result } of results) {
              const { transferred, error } = result as { transferred: number; error: IoError | undefined };
              const expected = Math.max(0, Math.min(length, FILE_SIZE - pos));
              expect(transferred).toBe(expected);
              if (expected < length) expect(error?.kind).toBe("UnexpectedEof");
              else expect(error).toBeUndefined();
              expect(Buffer.from(packet.bytes.subarray(0, transferred)).equals(Buffer.from(fixture.bytes.subarray(pos, pos + transferred)))).toBe(true);
            }
          }),
          { numRuns: 25, seed: 0x5eed13 },
        );
      } finally {
        await file.close();
      }
    });

    it("random views with aborts (before, same tick, microtask, macrotask) and deadlines: each packet settles once, data or Aborted/TimedOut, never wrong bytes", async () => {
      const file = await openHttpFile(url, { coalesceGap: 16 * 1024, maxRequestBytes: 32 * 1024, connections: 3 });
      try {
        const when = fc.constantFrom("none", "before", "sync", "microtask", "macrotask", "deadline");
        const view = fc.record({ pos: fc.integer({ min: 0, max: FILE_SIZE - 1 }), length: fc.integer({ min: 1, max: 100_000 }), when });
        await fc.assert(
          fc.asyncProperty(fc.array(view, { minLength: 1, maxLength: 32 }), async (views) => {
            const runs = views.map(({ pos, length, when: abortWhen }) => {
              const controller = new AbortController();
              if (abortWhen === "before") controller.abort();
              const packet = Packet.alloc(length, Write);
              const options = abortWhen === "deadline" ? { timeoutMs: 1 } : abortWhen === "none" ? undefined : { signal: controller.signal };
              const segments: number[] = [];
              const result = io(file, pos, packet, (segment) => void segments.push(segment.end - segment.start), options);
              if (abortWhen === "sync") controller.abort();
              if (abortWhen === "microtask") queueMicrotask(() => controller.abort());
              if (abortWhen === "macrotask") setImmediate(() => controller.abort());
              return { pos, length, abortWhen, packet, result, segments };
            });
            for (const { pos, length, abortWhen, packet, result } of runs) {
              const { transferred, error } = await result;
              await whenReleased(packet.bytes);
              expect(packet.inFlight).toBe(false);
              const inside = Math.min(length, FILE_SIZE - pos);
              expect(transferred).toBeLessThanOrEqual(inside);
              if (error === undefined) expect(transferred).toBe(length);
              else if (transferred < inside) expect(["Aborted", "TimedOut"], `${abortWhen}: ${error.message}`).toContain(error.kind);
              else expect(error.kind).toBe("UnexpectedEof");
              if (abortWhen === "none") expect(transferred).toBe(inside);
              expect(Buffer.from(packet.bytes.subarray(0, transferred)).equals(Buffer.from(fixture.bytes.subarray(pos, pos + transferred)))).toBe(true);
            }
          }),
          { numRuns: 20, seed: 0xab0 },
        );
        // Nothing is left behind: once the last bodies are done, no view waits and no request is out.
        await file.whenIdle();
        expect(file.pending).toEqual({ waiting: 0, requests: 0 });
      } finally {
        await file.close();
      }
    });

    it.skipIf(server.unversioned !== undefined)(`a file rewritten on disk under an open reader fails Stale${server.unversioned === undefined ? "" : ` (skipped: ${server.unversioned})`}`, async () => {
      const file = await openHttpFile(url);
      try {
        expect(file.etag ?? file.lastModified).toBeDefined();
        const dst = new Uint8Array(4096);
        await file.readExactAt(0, dst);
        // Same length, new bytes and a new mtime (ten seconds on: Last-Modified has whole seconds).
        const changed = seededBytes(FILE_SIZE, 0xc4a);
        writeFileSync(fixture.path, changed);
        const later = new Date(Date.now() + 10_000);
        utimesSync(fixture.path, later, later);
        await expect(file.readExactAt(0, dst)).rejects.toMatchObject({ kind: "Stale" });
      } finally {
        await file.close();
        writeFileSync(fixture.path, fixture.bytes);
      }
    });

    it("a missing file is NotFound; writes and truncate fail PermissionDenied", async () => {
      await expect(openHttpFile(running.baseUrl + "no-such-file.bin", { retries: 0 })).rejects.toMatchObject({ kind: "NotFound" });
      const file: HttpFile = await openHttpFile(url);
      try {
        await expect(file.writeAt(0, new Uint8Array(4))).rejects.toMatchObject({ kind: "PermissionDenied" });
        await expect(file.truncate(0)).rejects.toMatchObject({ kind: "PermissionDenied" });
      } finally {
        await file.close();
      }
    });
  });
}
