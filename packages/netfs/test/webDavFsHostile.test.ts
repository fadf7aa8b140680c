/**
 * openWebDavFs against a hostile server of our own: malformed or hostile PROPFIND answers
 * (entity declarations, broken XML, hrefs elsewhere, names that are no members, oversized
 * bodies) fail with kind InvalidData, refusals with their status's kind.
 */
import { createServer } from "node:http";
import { IoError } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWebDavFs } from "../src/webdav/openWebDavFs.js";
import { serveFlaky } from "./servers/flakyDav.js";
import { listen, type RunningServer } from "./servers/sendServer.js";

const ROOT = `<D:response><D:href>/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
const collection = (href: string): string => `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
const file = (href: string, length: number): string => `<D:response><D:href>${href}</D:href><D:propstat><D:prop><D:resourcetype/><D:getcontentlength>${length}</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
const multistatus = (inner: string): string => `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">${ROOT}${inner}</D:multistatus>`;

/** What the server answers to a PROPFIND of each path. */
const ANSWERS: Record<string, { status: number; body: string; location?: string }> = {
  "/": { status: 207, body: multistatus("") },
  "/bomb": { status: 207, body: `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "${"a".repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><D:multistatus xmlns:D="DAV:">&b;</D:multistatus>` },
  "/broken": { status: 207, body: `<D:multistatus xmlns:D="DAV:"><D:response>` },
  "/elsewhere": { status: 207, body: multistatus(`<D:response><D:href>http://other.example/elsewhere</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>`) },
  "/list": {
    status: 207,
    body: `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/list</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/not-a-member</D:href><D:propstat><D:prop><D:resourcetype/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
  },
  // The same member twice (and the collection itself with and without its slash): listed once.
  "/twice": {
    status: 207,
    body: `<D:multistatus xmlns:D="DAV:">${collection("/twice")}${collection("/twice/")}${file("/twice/a.txt", 3)}${file("/twice/a.txt", 3)}${collection("/twice/sub/")}${collection("/twice/sub")}</D:multistatus>`,
  },
  // One name both a file and a collection: no entry can be right.
  "/clash": { status: 207, body: `<D:multistatus xmlns:D="DAV:">${collection("/clash/")}${file("/clash/x", 1)}${collection("/clash/x/")}</D:multistatus>` },
  // A member whose name is not UTF-8 (Latin-1 caf%E9.txt): no pktio path names it, but it is there.
  "/latin": { status: 207, body: `<D:multistatus xmlns:D="DAV:">${collection("/latin/")}${file("/latin/caf%E9.txt", 4)}</D:multistatus>` },
  "/empty": { status: 207, body: `<D:multistatus xmlns:D="DAV:">${collection("/empty/")}</D:multistatus>` },
  "/huge": { status: 207, body: multistatus(" ".repeat(300_000)) },
  "/forbidden": { status: 403, body: "" },
  "/slashed": { status: 301, body: "", location: "/slashed/" },
  "/slashed/": { status: 207, body: `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/slashed/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>` },
  "/elsewhere-redirect": { status: 302, body: "", location: "http://other.example/x/" },
  // A Depth 0 answer about another resource: the root (a collection) for a file, or a sibling.
  "/root-for-file.txt": { status: 207, body: `<D:multistatus xmlns:D="DAV:">${ROOT}</D:multistatus>` },
  "/sibling-for-file.txt": {
    status: 207,
    body: `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/something-else</D:href><D:propstat><D:prop><D:resourcetype/><D:getcontentlength>77</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
  },
};

describe("openWebDavFs against a hostile server", () => {
  let server: RunningServer;
  /** Requests per flaky path. */
  const hits = new Map<string, number>();
  /** The requests other than PROPFIND, as "METHOD path". */
  const changes: string[] = [];
  beforeAll(async () => {
    server = await listen(
      createServer((req, res) => {
        req.resume();
        const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
        const headers: Record<string, string> = { "content-type": "application/xml" };
        if (serveFlaky(hits, req, res)) return;
        if (req.method !== "PROPFIND") changes.push(`${req.method} ${path}`);
        const answer = req.headers.authorization === "Bearer nope" ? { status: 401, body: "" } : (ANSWERS[path] ?? { status: 404, body: "" });
        if ("location" in answer && answer.location !== undefined) headers["location"] = answer.location;
        res.writeHead(answer.status, headers).end(answer.body);
      }),
    );
  });
  afterAll(() => server.close());

  const kindOf = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
      return "ok";
    } catch (error) {
      if (!IoError.is(error)) throw error;
      return error.kind;
    }
  };

  it("lists a member named twice once, and fails a name that is both a file and a collection with InvalidData", async () => {
    const fs = await openWebDavFs(server.baseUrl);
    try {
      const entries: { name: string; type: string }[] = [];
      for await (const entry of fs.readDir("twice")) entries.push({ name: entry.name, type: entry.type });
      expect(entries.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { name: "a.txt", type: "file" },
        { name: "sub", type: "directory" },
      ]);
      await expect((async () => { for await (const _ of fs.readDir("clash")) void _; })()).rejects.toThrow(expect.objectContaining({ kind: "InvalidData", message: expect.stringMatching(/"x" twice/) }));
    } finally {
      await fs.close();
    }
  });

  it("counts a member whose name is not UTF-8 as a member: removeDir and a rename onto its collection are DirectoryNotEmpty, and no DELETE or MOVE is sent", async () => {
    const fs = await openWebDavFs(server.baseUrl);
    try {
      // Listed without it (no pktio path could name it)...
      const names: string[] = [];
      for await (const entry of fs.readDir("latin")) names.push(entry.name);
      expect(names).toEqual([]);
      changes.length = 0;
      // ...but the collection is not empty: a DELETE (recursive on the server) would remove it.
      expect(await kindOf(fs.removeDir("latin"))).toBe("DirectoryNotEmpty");
      expect(await kindOf(fs.rename("empty", "latin"))).toBe("DirectoryNotEmpty");
      expect(changes).toEqual([]);
    } finally {
      await fs.close();
    }
  });

  it("fails entity declarations, broken XML, foreign hrefs, non-members and oversized answers with InvalidData", async () => {
    const fs = await openWebDavFs(server.baseUrl, { maxListingBytes: 100_000 });
    try {
      await expect(fs.stat("bomb")).rejects.toThrow(/DOCTYPE/);
      for (const path of ["bomb", "broken", "elsewhere", "huge", "root-for-file.txt", "sibling-for-file.txt"]) expect(await kindOf(fs.stat(path)), path).toBe("InvalidData");
      expect(await kindOf((async () => { for await (const _ of fs.readDir("list")) void _; })())).toBe("InvalidData");
      expect(await kindOf(fs.stat("forbidden"))).toBe("PermissionDenied");
      expect(await kindOf(fs.stat("missing"))).toBe("NotFound");
      // A collection named without its slash may be redirected to it, and nowhere else.
      expect((await fs.stat("slashed")).type).toBe("directory");
      expect(await kindOf(fs.stat("elsewhere-redirect"))).not.toBe("ok");
    } finally {
      await fs.close();
    }
  });

  it("repeats the requests that only read (PROPFIND) after a 503 or a reset, up to `retries`; never a MOVE (the sync twins: webDavFsRetrySync.test.ts)", async () => {
    const fs = await openWebDavFs(server.baseUrl, { retries: 2, retryDelayMs: 0 });
    try {
      expect((await fs.stat("flaky-2-busy")).size).toBe(7);
      expect(hits.get("/flaky-2-busy")).toBe(3);
      expect((await fs.stat("flaky-2-reset")).size).toBe(7);
      expect(hits.get("/flaky-2-reset")).toBe(3);
      // One failure more than the retries: the status's kind, after every attempt.
      expect(await kindOf(fs.stat("flaky-3-busy"))).toBe("Busy");
      expect(hits.get("/flaky-3-busy")).toBe(3);
      await expect(fs.stat("flaky-5-reset")).rejects.toThrow(/after 3 attempts/);
      // A request that changes state (MOVE) is sent once: its 503 is the caller's to handle.
      expect(await kindOf(fs.rename("flaky-0-moved", "flaky-0-target"))).toBe("Busy");
      expect(hits.get("MOVE /flaky-0-moved")).toBe(1);
    } finally {
      await fs.close();
    }
    const never = await openWebDavFs(server.baseUrl, { retries: 0 });
    try {
      expect(await kindOf(never.stat("flaky-1-other"))).toBe("Busy");
      expect(hits.get("/flaky-1-other")).toBe(1);
    } finally {
      await never.close();
    }
    expect(await kindOf(openWebDavFs(server.baseUrl, { retries: -1 }))).toBe("InvalidInput");
  });

  it("fails the open itself on a refused token, a bad URL or a bad option", async () => {
    expect(await kindOf(openWebDavFs(server.baseUrl, { token: "nope" }))).toBe("PermissionDenied");
    expect(await kindOf(openWebDavFs("ftp://127.0.0.1/"))).toBe("InvalidInput");
    expect(await kindOf(openWebDavFs(server.baseUrl, { headers: { depth: "infinity" } }))).toBe("InvalidInput");
    expect(await kindOf(openWebDavFs(server.baseUrl, { file: { coalesceGap: -1 } }))).toBe("InvalidInput");
    expect(await kindOf(openWebDavFs(server.baseUrl, { unknown: 1 } as never))).toBe("InvalidInput");
  });
});
