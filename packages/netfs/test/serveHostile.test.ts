/**
 * Hostile requests against `serveDirectory`: path traversal in every spelling, symlinks out of
 * the root, oversized heads and bodies, a stalled (slow-loris) request, hostile XML. Each waits
 * for the server's answer or its close of the connection, never for a duration.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawExchange, send, serveTree, type Served } from "./serveFixture.js";

describe("serveDirectory: hostile requests", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree({ maxHeaderBytes: 4096, maxBodyBytes: 1000, headersTimeoutMs: 300, requestTimeoutMs: 600 });
  });
  afterAll(() => served.close());

  it("refuses traversal in every spelling with 400 and never serves what lies outside", async () => {
    const paths = [
      "/../outside/secret.txt",
      "/dir/../../outside/secret.txt",
      "/%2e%2e/outside/secret.txt",
      "/%2E%2E/outside/secret.txt",
      "/.%2e/outside/secret.txt",
      "/dir/%2e%2e%2f%2e%2e%2foutside/secret.txt",
      "/..%2foutside%2fsecret.txt",
      "/..%5coutside%5csecret.txt",
      "/..\\outside\\secret.txt",
      "/hello.txt%00.png",
      "/%zz",
      "/./hello.txt",
    ];
    for (const path of paths) {
      const answer = await send(served.server.url, "GET", path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.toString(), path).not.toContain("SECRET");
    }
    // Bytes a client library would not send: a raw NUL and an absolute-form target elsewhere.
    const nul = await rawExchange(served.server.url, "GET /hello.txt\0 HTTP/1.1\r\nhost: x\r\n\r\n");
    expect(nul.text).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("a file asked for with a trailing slash is not found (404), as open(2) of `a.txt/` fails; without it, it is served", async () => {
    expect((await send(served.server.url, "GET", "/hello.txt/")).status).toBe(404);
    expect((await send(served.server.url, "HEAD", "/dir/sub/deep.txt/")).status).toBe(404);
    expect((await send(served.server.url, "GET", "/hello.txt")).status).toBe(200);
    expect((await send(served.server.url, "GET", "/dir/")).status).toBe(200);
  });

  it("refuses symlinks that lead outside the root (403), for reads, listings and writes", async () => {
    expect((await send(served.server.url, "GET", "/escape.txt")).status).toBe(403);
    expect((await send(served.server.url, "GET", "/escape-dir/secret.txt")).status).toBe(403);
    expect((await send(served.server.url, "PROPFIND", "/escape-dir/", { depth: "1" })).status).toBe(403);
    expect((await send(served.server.url, "PUT", "/escape-dir/planted.txt", {}, "x")).status).toBe(403);
    expect(existsSync(join(served.outside, "planted.txt"))).toBe(false);
    const listing = await send(served.server.url, "PROPFIND", "/", { depth: "1" });
    expect(listing.status).toBe(207);
    expect(listing.body.toString()).not.toContain("escape");
    expect(listing.body.toString()).toContain("inside-link.txt");
    // MOVE's Destination is confined the same way.
    expect((await send(served.server.url, "MOVE", "/hello.txt", { destination: `${served.server.url}../outside/x.txt` })).status).toBe(400);
    expect((await send(served.server.url, "MOVE", "/hello.txt", { destination: "/escape-dir/x.txt" })).status).toBe(403);
    expect((await send(served.server.url, "MOVE", "/hello.txt", { destination: "http://elsewhere.example/x.txt" })).status).toBe(502);
    expect(readFileSync(join(served.root, "hello.txt"), "utf8")).toBe("hello, pktio\n");
    // Writes through a symlink out are refused; a DELETE of the link removes the link, never its target.
    const partial = { "content-type": "application/x-sabredav-partialupdate", "x-update-range": "bytes=0-1" };
    expect((await send(served.server.url, "PATCH", "/escape.txt", partial, "XX")).status).toBe(403);
    expect((await send(served.server.url, "DELETE", "/escape-dir/secret.txt")).status).toBe(403);
    expect((await send(served.server.url, "MKCOL", "/escape-dir/made")).status).toBe(403);
    expect((await send(served.server.url, "DELETE", "/escape.txt")).status).toBe(204);
    expect((await send(served.server.url, "DELETE", "/escape-dir")).status).toBe(204);
    expect(readFileSync(join(served.outside, "secret.txt"), "utf8")).toBe("SECRET\n");
    expect(existsSync(join(served.outside, "made"))).toBe(false);
  });

  it("answers Expect: 100-continue with 413 for a body over the limit, without asking for it", async () => {
    const answer = await rawExchange(served.server.url, "PUT /expect.txt HTTP/1.1\r\nhost: x\r\ncontent-length: 5000\r\nexpect: 100-continue\r\n\r\n", true);
    expect(answer.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.text).not.toContain("100 Continue");
  });

  it("answers an oversized request head with 431", async () => {
    const answer = await rawExchange(served.server.url, `GET /hello.txt HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(8000)}\r\n\r\n`);
    expect(answer.text).toMatch(/^HTTP\/1\.1 431 /);
  });

  it("refuses a PUT body over the limit with 413, declared or chunked, and keeps nothing of it", async () => {
    const declared = await send(served.server.url, "PUT", "/too-big.txt", {}, "x".repeat(1001));
    expect(declared.status).toBe(413);
    const chunked = await rawExchange(served.server.url, `PUT /too-big.txt HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n${"200\r\n" + "y".repeat(512) + "\r\n"}${"200\r\n" + "y".repeat(512) + "\r\n"}0\r\n\r\n`);
    expect(chunked.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(existsSync(join(served.root, "too-big.txt"))).toBe(false);
    expect((await send(served.server.url, "PUT", "/small.txt", {}, "x".repeat(1000))).status).toBe(201);
  });

  it("closes a stalled request (slow loris) with 408 after its head timeout", async () => {
    // Half a request head, then nothing: the server must answer and close by itself.
    const stalled = await rawExchange(served.server.url, "GET /hello.txt HTTP/1.1\r\nhost: x\r\nx-slow: ", true);
    expect(stalled.text).toMatch(/^HTTP\/1\.1 408 /);
    // A complete head with a body that never comes is cut at the request timeout.
    const body = await rawExchange(served.server.url, "PUT /slow.txt HTTP/1.1\r\nhost: x\r\ncontent-length: 500\r\n\r\nabc", true);
    expect(body.socket.destroyed).toBe(true);
    expect(existsSync(join(served.root, "slow.txt"))).toBe(false);
  });

  it("refuses hostile PROPFIND bodies (entities, DOCTYPE) with 400 and infinite depth with 403", async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><D:propfind xmlns:D="DAV:"><D:prop>&b;</D:prop></D:propfind>`;
    expect((await send(served.server.url, "PROPFIND", "/", { depth: "0", "content-type": "application/xml" }, bomb)).status).toBe(400);
    expect((await send(served.server.url, "PROPFIND", "/", { depth: "0" }, "<D:propfind xmlns:D='DAV:'><D:prop>")).status).toBe(400);
    expect((await send(served.server.url, "PROPFIND", "/", { depth: "infinity" })).status).toBe(403);
    expect((await send(served.server.url, "PROPFIND", "/", {})).status).toBe(403);
  });

  it("answers unknown methods with 405 and an Allow header", async () => {
    const answer = await send(served.server.url, "LOCK", "/hello.txt", {}, "x");
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toContain("PROPFIND");
  });
});

describe("serveDirectory: a FIFO in the tree", () => {
  // libuv and threaded opened it on a pool thread or a worker, where open(2) waits for a writer:
  // four requests held libuv's four threads, and the server answered nothing after (helper-22).
  for (const backend of ["libuv", "threaded", "uring"]) {
    it(`${backend}: a GET of it is 403 at once, and the files beside it are still served`, async () => {
      const served = await serveTree({}, [backend]);
      try {
        execFileSync("mkfifo", [join(served.root, "pipe")]);
        const answers = await Promise.all(Array.from({ length: 6 }, () => send(served.server.url, "GET", "/pipe")));
        expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403, 403]);
        const hello = await send(served.server.url, "GET", "/hello.txt");
        expect([hello.status, hello.body.toString()]).toEqual([200, "hello, pktio\n"]);
      } finally {
        await served.close();
      }
    });
  }
});

describe("serveDirectory: close() during an upload", () => {
  it("a PUT cut short by close() leaves no upload file behind, and the old file as it was", async () => {
    const served = await serveTree();
    try {
      const url = new URL(served.server.url);
      const socket = connect(Number(url.port), url.hostname);
      socket.on("error", () => undefined);
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(`PUT /hello.txt HTTP/1.1\r\nhost: x\r\ncontent-length: 1000000\r\n\r\n${"y".repeat(100_000)}`);
      // The upload file appears once the server has started writing the body.
      const uploads = (): string[] => readdirSync(served.root).filter((name) => name.startsWith(".pktio-upload-"));
      while (uploads().length === 0) await new Promise((resolve) => setImmediate(resolve));
      await served.server.close();
      expect(uploads()).toEqual([]);
      expect(readFileSync(join(served.root, "hello.txt"), "utf8")).toBe("hello, pktio\n");
      socket.destroy();
    } finally {
      await served.close();
    }
  });
});
