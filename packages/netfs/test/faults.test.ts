/**
 * Faults, one test each, from our own misbehaving server: a dropped connection, a short body, a
 * lying Content-Range or length, stalls, a file that changes, redirect loops, a server that
 * ignores Range, 5xx then success. Each read either returns the file's own bytes or fails with a
 * clear kind; nothing hangs (every test ends by closing the file, which must resolve).
 */
import { Packet, Write, io, whenReleased } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHttpFile, type HttpFile } from "../src/index.js";
import { seededBytes } from "./servers/fixture.js";
import { IGNORED_SIZE, patternByte, startFaultServer, type FaultServer } from "./servers/faultServer.js";

const SIZE = 256 * 1024;
const bytes = seededBytes(SIZE, 0xfa17);
let server: FaultServer;
let other: FaultServer;

beforeAll(async () => {
  other = await startFaultServer(bytes);
  server = await startFaultServer(bytes, { redirectTo: other.baseUrl });
});
afterAll(async () => {
  await server?.close();
  await other?.close();
});

/** Fast retries: the tests check what happens, not how long the backoff is. */
const quick = { retryDelayMs: 1, maxRetryDelayMs: 5 } as const;

async function withFile<T>(path: string, options: Parameters<typeof openHttpFile>[1], body: (file: HttpFile) => Promise<T>): Promise<T> {
  const file = await openHttpFile(server.baseUrl + path.replace(/^\//, ""), { ...quick, ...options });
  try {
    return await body(file);
  } finally {
    await file.close();
  }
}

function expectBytes(dst: Uint8Array, pos: number): void {
  expect(Buffer.from(dst).equals(Buffer.from(bytes.subarray(pos, pos + dst.length))), `bytes at ${pos}`).toBe(true);
}

function rangesAsked(path: string): (string | undefined)[] {
  return server.log.filter((entry) => entry.path === path && entry.method === "GET").map((entry) => entry.range);
}

describe("faults", () => {
  it("a connection dropped mid-body once: the bytes that came are kept, only the rest is asked again", async () => {
    await withFile("/drop-once", {}, async (file) => {
      const dst = new Uint8Array(100_000);
      await file.readExactAt(1000, dst);
      expectBytes(dst, 1000);
      expect(file.stats.retries).toBe(1);
      const [first, second] = rangesAsked("/drop-once");
      expect(first).toBe("bytes=1000-100999");
      // The second attempt starts where the first one's bytes stopped, not at 1000.
      const restart = Number(/^bytes=(\d+)-100999$/.exec(second ?? "")?.[1]);
      expect(restart).toBeGreaterThan(1000);
    });
  });

  it("a connection dropped mid-body every time: ConnectionReset after the retries, the bytes that came are the file's", async () => {
    await withFile("/drop-always", { retries: 2 }, async (file) => {
      const packet = Packet.alloc(50_000, Write);
      const { transferred, error } = await io(file, 0, packet);
      expect(error?.kind).toBe("ConnectionReset");
      expect(error?.message).toMatch(/after 3 attempts/);
      expect(transferred).toBeGreaterThan(0);
      expect(transferred).toBeLessThan(50_000);
      expectBytes(packet.bytes.subarray(0, transferred), 0);
      expect(rangesAsked("/drop-always")).toHaveLength(3);
    });
  });

  it("a short body once is completed by a second request", async () => {
    await withFile("/short-once", {}, async (file) => {
      const dst = new Uint8Array(8192);
      await file.readExactAt(4096, dst);
      expectBytes(dst, 4096);
      expect(rangesAsked("/short-once")).toEqual(["bytes=4096-12287", "bytes=8192-12287"]);
    });
  });

  it("a body that is always short fails InvalidData, never wrong bytes", async () => {
    await withFile("/short-always", { retries: 1 }, async (file) => {
      const packet = Packet.alloc(4000, Write);
      const { transferred, error } = await io(file, 0, packet);
      expect(error?.kind).toBe("InvalidData");
      expect(error?.message).toMatch(/ended after/);
      // Two halves of what was asked each time: 2000, then 1000 of the remaining 2000.
      expect(transferred).toBe(3000);
      expectBytes(packet.bytes.subarray(0, transferred), 0);
    });
  });

  it("a lying Content-Range fails InvalidData at once (not retried), no byte delivered", async () => {
    await withFile("/lying-range", {}, async (file) => {
      const packet = Packet.alloc(1000, Write);
      const { transferred, error } = await io(file, 500, packet);
      expect(error?.kind).toBe("InvalidData");
      expect(error?.message).toMatch(/asked for bytes 500-1499, the server answered bytes 501-1500/);
      expect(transferred).toBe(0);
      expect(rangesAsked("/lying-range")).toHaveLength(1);
    });
  });

  it("a body longer than its Content-Range fails InvalidData", async () => {
    await withFile("/lying-length", { retries: 0 }, async (file) => {
      await expect(file.readExactAt(0, new Uint8Array(1000))).rejects.toMatchObject({ kind: "InvalidData", message: expect.stringMatching(/goes on past/) });
    });
  });

  it("a body that goes on past its Content-Range in a later chunk fails every view that ends there (none completes early)", async () => {
    await withFile("/lying-length-later", { retries: 0 }, async (file) => {
      const [front, back] = [Packet.alloc(1000, Write), Packet.alloc(1000, Write)];
      // One request for both (adjacent views are planned into one range): the front completes
      // as its bytes come; the back, which ends where the range does, waits for the end of the
      // body, and the server sends the bytes past the range only once the front has completed.
      const [first, second] = [io(file, 0, front), io(file, 1000, back)];
      const a = await first;
      server.releaseExtra();
      const b = await second;
      expect(rangesAsked("/lying-length-later")).toEqual(["bytes=0-1999"]);
      expect(a).toEqual({ transferred: 1000, error: undefined });
      expectBytes(front.bytes, 0);
      expect(b).toMatchObject({ transferred: 0, error: { kind: "InvalidData", message: expect.stringMatching(/goes on past 2000/) } });
    });
  });

  it("a stalled body: the deadline fires, the read settles TimedOut, the buffer comes back, close resolves", async () => {
    await withFile("/stall-body", {}, async (file) => {
      const dst = new Uint8Array(4096);
      await expect(file.readAt(0, dst, { timeoutMs: 100 })).rejects.toMatchObject({ kind: "TimedOut" });
      await whenReleased(dst);
      expect(file.pending).toEqual({ waiting: 0, requests: 0 });
    });
  });

  it("a server that never answers: the deadline fires (TimedOut); an abort signal settles Aborted", async () => {
    await withFile("/stall-headers", {}, async (file) => {
      await expect(file.readAt(0, new Uint8Array(10), { timeoutMs: 100 })).rejects.toMatchObject({ kind: "TimedOut" });
      const controller = new AbortController();
      const read = file.readAt(100, new Uint8Array(10), { signal: controller.signal });
      controller.abort();
      await expect(read).rejects.toMatchObject({ kind: "Aborted" });
    });
  });

  it("a stall without a per-op deadline ends at headersTimeoutMs: TimedOut after the retries", async () => {
    await withFile("/stall-headers", { headersTimeoutMs: 100, retries: 1 }, async (file) => {
      await expect(file.readAt(0, new Uint8Array(10))).rejects.toMatchObject({ kind: "TimedOut", message: expect.stringMatching(/after 2 attempts/) });
    });
  });

  it("close() with reads in flight on a stalled server answers them Closed and resolves", async () => {
    const file = await openHttpFile(server.baseUrl + "stall-headers", quick);
    // Each read's answer is caught at once: it rejects during close(), before the awaits below.
    const answers = [file.readAt(0, new Uint8Array(10)), file.readAt(1 << 17, new Uint8Array(10))].map((read) => read.then(() => undefined, (error: unknown) => error));
    await new Promise((resolve) => setImmediate(resolve));
    expect(file.pending.requests).toBe(2);
    await file.close();
    for (const answer of answers) expect(await answer).toMatchObject({ kind: "Closed" });
    await expect(file.readAt(0, new Uint8Array(1))).rejects.toMatchObject({ kind: "Closed" });
  });

  for (const [route, condition] of [["/changes", "If-Match"], ["/changes-weak", "If-Unmodified-Since"]] as const) {
    it(`a file that changes under the reader fails Stale (${condition} sent, 412 from the server)`, async () => {
      await withFile(route, {}, async (file) => {
        const dst = new Uint8Array(1000);
        await file.readExactAt(0, dst);
        expectBytes(dst, 0);
        server.bumpVersion();
        await expect(file.readExactAt(0, dst)).rejects.toMatchObject({ kind: "Stale" });
        const gets = server.log.filter((entry) => entry.path === route && entry.method === "GET");
        if (condition === "If-Match") expect(gets.every((entry) => entry.ifMatch === file.etag)).toBe(true);
        else expect(gets.every((entry) => entry.ifUnmodifiedSince === file.lastModified && entry.ifMatch === undefined)).toBe(true);
      });
    });
  }

  it("a server that ignores If-Match but names a new ETag fails Stale too", async () => {
    await withFile("/changes-unchecked", {}, async (file) => {
      server.bumpVersion();
      await expect(file.readExactAt(0, new Uint8Array(10))).rejects.toMatchObject({ kind: "Stale", message: expect.stringMatching(/ETag/) });
    });
  });

  it("a redirect loop fails FilesystemLoop at open; too many hops too; a short chain is followed", async () => {
    await expect(openHttpFile(server.baseUrl + "loop-a", quick)).rejects.toMatchObject({ kind: "FilesystemLoop", message: expect.stringMatching(/redirect loop/) });
    await expect(openHttpFile(server.baseUrl + "chain-1", { ...quick, maxRedirects: 2 })).rejects.toMatchObject({ kind: "FilesystemLoop", message: expect.stringMatching(/more than 2 redirects/) });
    await withFile("/hop-1", {}, async (file) => {
      const dst = new Uint8Array(300);
      await file.readExactAt(77, dst);
      expectBytes(dst, 77);
      await file.readExactAt(5000, dst);
      expectBytes(dst, 5000);
      // The open's redirects are followed once: the ranges go straight to where they led.
      expect(file.location.pathname).toBe("/ok");
      expect(server.log.filter((entry) => entry.path === "/hop-1" && entry.method === "GET")).toHaveLength(0);
    });
  });

  it("a redirect target that expires (403) is resolved again from the URL opened", async () => {
    await withFile("/expiring", { retries: 0 }, async (file) => {
      const dst = new Uint8Array(500);
      await file.readExactAt(0, dst);
      expectBytes(dst, 0);
      expect(file.location.search).toBe("?sig=1");
      server.rotateSignature();
      await file.readExactAt(1000, dst);
      expectBytes(dst, 1000);
      expect(file.location.search).toBe("?sig=2");
    });
  });

  it("a server that ignores Range: the right bytes, the body streamed and dropped, never read whole", async () => {
    const file = await openHttpFile(server.baseUrl + "ignore-range", quick);
    try {
      expect(file.sizeSync()).toBe(IGNORED_SIZE);
      const dst = new Uint8Array(4096);
      await file.readExactAt(10_000, dst);
      for (let index = 0; index < dst.length; index++) {
        if (dst[index] !== patternByte(10_000 + index)) throw new Error(`byte ${10_000 + index} differs`);
      }
      expect(file.stats.ignoredRange).toBe(1);
      // Only the front of the 32 MiB came through: the connection was dropped after the wanted bytes.
      expect(file.stats.bytesReceived).toBeLessThan(IGNORED_SIZE / 4);
      await new Promise((resolve) => setImmediate(resolve));
      expect(server.ignoredRangeBytesSent()).toBeLessThan(IGNORED_SIZE / 2);
      // Known to ignore Range now: the next views, far apart, share one pass through the body.
      const far = Array.from({ length: 12 }, (_, index) => ({ pos: index * 2_500_000 + 7, dst: new Uint8Array(1000) }));
      await Promise.all(far.map(({ pos, dst }) => file.readExactAt(pos, dst)));
      for (const { pos, dst } of far) expect(dst.every((byte, index) => byte === patternByte(pos + index)), String(pos)).toBe(true);
      expect(file.stats.ignoredRange).toBe(2);
    } finally {
      await file.close();
    }
  });

  it("5xx then success: retried (Retry-After honoured) and the bytes are right", async () => {
    await withFile("/flaky", {}, async (file) => {
      const dst = new Uint8Array(5000);
      await file.readExactAt(123, dst);
      expectBytes(dst, 123);
      expect(file.stats.retries).toBe(2);
    });
  });

  it("5xx every time: kind Other after the bounded attempts, saying how many", async () => {
    await withFile("/always-500", { retries: 2 }, async (file) => {
      await expect(file.readAt(0, new Uint8Array(10))).rejects.toMatchObject({ kind: "Other", message: expect.stringMatching(/HTTP 500 .*after 3 attempts/) });
      expect(rangesAsked("/always-500")).toHaveLength(3);
    });
  });

  it("HEAD refused (405): the size comes from the Content-Range of a first ranged GET", async () => {
    await withFile("/head-405", {}, async (file) => {
      expect(file.sizeSync()).toBe(SIZE);
      const dst = new Uint8Array(64);
      await file.readExactAt(SIZE - 64, dst);
      expectBytes(dst, SIZE - 64);
    });
  });

  it("statuses map to kinds: 404 NotFound, 401 and 403 PermissionDenied, 416 a short read at the end", async () => {
    await expect(openHttpFile(server.baseUrl + "nothing-here", quick)).rejects.toMatchObject({ kind: "NotFound" });
    await expect(openHttpFile(server.baseUrl + "needs-auth", quick)).rejects.toMatchObject({ kind: "PermissionDenied", message: expect.stringMatching(/HTTP 401/) });
    await expect(openHttpFile(server.baseUrl + "head-403-get-403", quick)).rejects.toMatchObject({ kind: "PermissionDenied", message: expect.stringMatching(/HTTP 403/) });
    await withFile("/shrunk", {}, async (file) => {
      const packet = Packet.alloc(100, Write);
      const { transferred, error } = await io(file, 0, packet);
      expect(transferred).toBe(0);
      expect(error?.kind).toBe("UnexpectedEof");
    });
  });

  it("headers reach the server (Authorization); a presigned URL's query is kept as given", async () => {
    await withFile("/needs-auth", { headers: { Authorization: "Bearer secret" } }, async (file) => {
      const dst = new Uint8Array(10);
      await file.readExactAt(0, dst);
      expectBytes(dst, 0);
    });
    await withFile("/presigned?X-Signature=abc%3D%2F%2B&X-Expires=60", {}, async (file) => {
      const dst = new Uint8Array(10);
      await file.readExactAt(5, dst);
      expectBytes(dst, 5);
      // Messages never show the query (it carries the signature).
      expect(file.path).not.toMatch(/Signature/);
    });
  });

  it("a version given by the caller (a PROPFIND, a listing) skips the HEAD and is held like one found", async () => {
    const heads = (): number => server.log.filter((entry) => entry.path === "/ok" && entry.method === "HEAD").length;
    const before = heads();
    await withFile("/ok", { version: { size: SIZE, etag: '"v1"' } }, async (file) => {
      const dst = new Uint8Array(1000);
      await file.readExactAt(SIZE - 1000, dst);
      expectBytes(dst, SIZE - 1000);
    });
    expect(heads()).toBe(before);
    // The server names another version than the one given: Stale, not its bytes.
    await withFile("/ok", { version: { size: SIZE, etag: '"v0"' } }, async (file) => {
      await expect(file.readExactAt(0, new Uint8Array(10))).rejects.toMatchObject({ kind: "Stale" });
    });
    await expect(openHttpFile(server.baseUrl + "ok", { version: { size: -1 } })).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/"version.size"/) });
    await expect(openHttpFile(server.baseUrl + "ok", { version: { size: 1, etag: "v1" } })).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/quoted entity tag/) });
  });

  it("a redirect to another origin does not carry the caller's Authorization", async () => {
    const before = other.log.length;
    await withFile("/to-other-origin", { headers: { Authorization: "Bearer secret" } }, async (file) => {
      await file.readExactAt(0, new Uint8Array(10));
    });
    const seen = other.log.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((entry) => entry.authorization === undefined)).toBe(true);
    expect(server.log.some((entry) => entry.path === "/to-other-origin" && entry.authorization === "Bearer secret")).toBe(true);
  });
});
