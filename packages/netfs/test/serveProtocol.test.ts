/**
 * `serveDirectory` at the edges real clients reach (helper findings, 2026-12-04): uploads in
 * progress are nobody's to read or delete, pipelined requests run in order, XML text uses the
 * predefined entities, paths beneath a file are 404 to reads and 409 to writes, a MOVE into itself
 * through a symlink is 409, transfer codings other than chunked are 501,
 * absolute-form targets and `OPTIONS *` are answered, and a PATCH cannot grow a file past the
 * body limit. Every wait is for the server's answer.
 */
import { existsSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawExchange, send, serveTree, type Served } from "./serveFixture.js";

describe("serveDirectory: protocol edges", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree({ maxBodyBytes: 1000 });
    writeFileSync(join(served.root, ".pktio-upload-0123456789abcdef"), "half an upload");
    writeFileSync(join(served.root, "back\\slash.txt"), "unreachable by URL");
    writeFileSync(join(served.root, `quote'x".txt`), "quoted");
  });
  afterAll(() => served.close());

  it("an upload in progress is not listed, read, moved or deleted; a backslash name is not listed", async () => {
    const upload = "/.pktio-upload-0123456789abcdef";
    for (const method of ["GET", "HEAD", "DELETE", "PROPFIND"]) expect((await send(served.server.url, method, upload)).status, method).toBe(404);
    expect((await send(served.server.url, "MOVE", upload, { destination: `${served.server.url}stolen.txt` })).status).toBe(404);
    expect(statSync(join(served.root, upload.slice(1))).size).toBe(14);
    const listing = (await send(served.server.url, "PROPFIND", "/", { depth: "1" })).body.toString();
    const index = (await send(served.server.url, "GET", "/")).body.toString();
    for (const text of [listing, index]) {
      expect(text).not.toContain("pktio-upload");
      expect(text).not.toMatch(/back(%5C|\\)slash/i);
      expect(text).toContain("hello.txt");
    }
  });

  it("requests pipelined on one connection run in order: a PUT, then a GET and a DELETE of the same file", async () => {
    const pipelined =
      "PUT /piped.txt HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nnew" +
      "GET /piped.txt HTTP/1.1\r\nhost: x\r\n\r\n" +
      "DELETE /piped.txt HTTP/1.1\r\nhost: x\r\n\r\n" +
      "GET /piped.txt HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    const { text } = await rawExchange(served.server.url, pipelined);
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => match[1]);
    expect(statuses).toEqual(["201", "200", "204", "404"]);
    expect(text).toMatch(/\r\n\r\nnew/);
  });

  it("COPY or MOVE onto an ancestor of the source is 409 and deletes nothing", async () => {
    for (const method of ["COPY", "MOVE"]) {
      expect((await send(served.server.url, method, "/dir/sub/", { destination: "/dir" })).status, method).toBe(409);
      expect((await send(served.server.url, method, "/dir/sub/deep.txt", { destination: "/dir" })).status, method).toBe(409);
      expect(readFileSync(join(served.root, "dir/sub/deep.txt"), "utf8")).toBe("deep\n");
    }
  });

  it("PUT, COPY and MOVE beneath a file are 409 (no parent collection, RFC 4918 §9.7.1, §9.8.5) and make nothing", async () => {
    const url = served.server.url;
    expect((await send(url, "PUT", "/hello.txt/x", {}, "body")).status).toBe(409);
    expect((await send(url, "PUT", "/hello.txt/x/y", {}, "body")).status).toBe(409);
    for (const method of ["COPY", "MOVE"]) {
      expect((await send(url, method, "/dir/a%20b%26c.txt", { destination: "/hello.txt/x" })).status, method).toBe(409);
      expect((await send(url, method, "/dir/sub/", { destination: "/hello.txt/x/" })).status, method).toBe(409);
    }
    expect(statSync(join(served.root, "hello.txt")).isFile()).toBe(true);
    expect(readFileSync(join(served.root, "dir/a b&c.txt"), "utf8")).toBe("spaces and ampersand\n");
    expect(readFileSync(join(served.root, "dir/sub/deep.txt"), "utf8")).toBe("deep\n");
  });

  it("MOVE of a collection into itself through a symlink (alias/sub, alias -> dir) is 409 and moves nothing", async () => {
    symlinkSync("dir", join(served.root, "alias"));
    try {
      expect((await send(served.server.url, "MOVE", "/dir/", { destination: "/alias/sub/moved/" })).status).toBe(409);
      expect((await send(served.server.url, "MOVE", "/dir/", { destination: "/alias/new/" })).status).toBe(409);
      expect((await send(served.server.url, "COPY", "/dir/", { destination: "/alias/new/" })).status).toBe(409);
      expect(readFileSync(join(served.root, "dir/sub/deep.txt"), "utf8")).toBe("deep\n");
      expect(existsSync(join(served.root, "dir/new"))).toBe(false);
      // The link onto the collection it names is 403: deleting the destination would delete what
      // the link leads to. (The collection onto the link is a move: the link is what goes.)
      expect((await send(served.server.url, "MOVE", "/alias/", { destination: "/dir/" })).status).toBe(403);
    } finally {
      unlinkSync(join(served.root, "alias"));
    }
  });

  it("MOVE of a symlink to a collection moves the link, into that collection too (not 'into itself')", async () => {
    symlinkSync("dir", join(served.root, "link"));
    symlinkSync(".", join(served.root, "here"));
    try {
      expect((await send(served.server.url, "MOVE", "/link", { destination: "/dir/link2" })).status).toBe(201);
      expect(readlinkSync(join(served.root, "dir/link2"))).toBe("dir");
      expect((await send(served.server.url, "MOVE", "/here", { destination: "/here2" })).status).toBe(201);
      expect(readlinkSync(join(served.root, "here2"))).toBe(".");
      expect(readFileSync(join(served.root, "dir/sub/deep.txt"), "utf8")).toBe("deep\n");
    } finally {
      for (const name of ["link", "dir/link2", "here", "here2"]) rmSync(join(served.root, name), { force: true });
    }
  });

  it("XML text uses the predefined entities (&quot; &apos;), which every parser decodes", async () => {
    const body = (await send(served.server.url, "PROPFIND", "/", { depth: "1" })).body.toString();
    expect(body).not.toMatch(/&#3[49];/);
    expect(body).toContain("quote&apos;x&quot;.txt");
    expect(body).toMatch(/<D:getetag>&quot;[^<]+&quot;<\/D:getetag>/);
  });

  it("a path beneath a file is 404 for every method, as a missing one", async () => {
    for (const method of ["GET", "HEAD", "PROPFIND", "DELETE"]) expect((await send(served.server.url, method, "/hello.txt/x", { depth: "0" })).status, method).toBe(404);
  });

  it("a PUT with a transfer coding other than chunked is refused 501 and stores nothing", async () => {
    const { text } = await rawExchange(served.server.url, "PUT /coded.txt HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip, chunked\r\nconnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    expect(text).toMatch(/^HTTP\/1\.1 501 /);
    expect((await send(served.server.url, "GET", "/coded.txt")).status).toBe(404);
  });

  it("answers an absolute-form target as its path, and OPTIONS * as the server's options", async () => {
    const { port } = new URL(served.server.url);
    const absolute = await rawExchange(served.server.url, `GET http://127.0.0.1:${port}/hello.txt HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
    expect(absolute.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(absolute.text).toContain("hello, pktio");
    const star = await rawExchange(served.server.url, "OPTIONS * HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    expect(star.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(star.text.toLowerCase()).toMatch(/\r\ndav: 1/);
  });

  it("a body refused 413 before it was read gets its answer: the server reads and drops the rest instead of resetting", async () => {
    // As a client library sends it: the whole body written, and a write error (EPIPE, a reset)
    // taken as the request's failure, which is how rclone and the webdav client lost the 413.
    const { hostname, port } = new URL(served.server.url);
    const body = Buffer.alloc(8 * 1024 * 1024, 0x7a);
    const outcome = await new Promise<{ text: string; error: string | undefined }>((resolve) => {
      const chunks: Buffer[] = [];
      let error: string | undefined;
      const socket = connect(Number(port), hostname, () => {
        socket.write(`PUT /huge.bin HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`);
        socket.write(body);
      });
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("error", (failure: NodeJS.ErrnoException) => (error ??= failure.code));
      socket.on("end", () => socket.end());
      socket.on("close", () => resolve({ text: Buffer.concat(chunks).toString("latin1"), error }));
    });
    expect(outcome.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.error, "the client's write failed before it read the answer").toBeUndefined();
    expect((await send(served.server.url, "GET", "/huge.bin")).status).toBe(404);
  });

  it("a PATCH that would grow a file past the body limit is refused 416 and changes nothing", async () => {
    const far = await send(served.server.url, "PATCH", "/hello.txt", { "content-type": "application/x-sabredav-partialupdate", "x-update-range": "bytes=1099511627776-1099511627776" }, "x");
    expect(far.status).toBe(416);
    expect(statSync(join(served.root, "hello.txt")).size).toBe(13);
    // Within the limit past the end is still a write (sparse gap included), as before.
    const near = await send(served.server.url, "PATCH", "/hello.txt", { "content-type": "application/x-sabredav-partialupdate", "x-update-range": "bytes=20-20" }, "y");
    expect(near.status).toBe(204);
    expect(statSync(join(served.root, "hello.txt")).size).toBe(21);
  });
});
