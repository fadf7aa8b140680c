/** `serveDirectory` over plain HTTP: GET/HEAD, single ranges, validators and preconditions (RFC 9110), the access log. */
import { existsSync, readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIG, send, serveTree, type Served } from "./serveFixture.js";

describe("serveDirectory: GET, HEAD and ranges", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree();
  });
  afterAll(() => served.close());

  it("serves a file whole, with validators and Accept-Ranges", async () => {
    const answer = await send(served.server.url, "GET", "/hello.txt");
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe("hello, pktio\n");
    expect(answer.headers["content-length"]).toBe("13");
    expect(answer.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(answer.headers["accept-ranges"]).toBe("bytes");
    expect(answer.headers.etag).toMatch(/^"[0-9a-z-]+"$/);
    expect(Date.parse(answer.headers["last-modified"] ?? "")).not.toBeNaN();
  });

  it("HEAD gives the headers of GET without the body", async () => {
    const answer = await send(served.server.url, "HEAD", "/big.bin");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-length"]).toBe(String(BIG.length));
    expect(answer.body.length).toBe(0);
  });

  it("answers single ranges with 206 and the exact bytes (first-last, open-ended, suffix)", async () => {
    const cases: [string, number, number][] = [
      ["bytes=0-0", 0, 1],
      ["bytes=1000-4999", 1000, 5000],
      ["bytes=99990-", 99_990, 100_000],
      ["bytes=-10", 99_990, 100_000],
      ["bytes=99000-200000", 99_000, 100_000],
      ["bytes=-200000", 0, 100_000],
    ];
    for (const [range, start, end] of cases) {
      const answer = await send(served.server.url, "GET", "/big.bin", { range });
      expect(answer.status, range).toBe(206);
      expect(answer.headers["content-range"], range).toBe(`bytes ${start}-${end - 1}/${BIG.length}`);
      expect(Buffer.compare(answer.body, Buffer.from(BIG.subarray(start, end))), range).toBe(0);
    }
  });

  it("clamps an end past the file to its end, however many digits it has (206 of what there is)", async () => {
    for (const range of ["bytes=0-99999999999999999999", "bytes=10-0009999999999999999999"]) {
      const answer = await send(served.server.url, "GET", "/big.bin", { range });
      const start = Number(/=(\d+)/.exec(range)?.[1]);
      expect(answer.status, range).toBe(206);
      expect(answer.headers["content-range"], range).toBe(`bytes ${start}-${BIG.length - 1}/${BIG.length}`);
      expect(answer.body.length, range).toBe(BIG.length - start);
    }
    // A suffix longer than the file is the whole file, as a part.
    const suffix = await send(served.server.url, "GET", "/big.bin", { range: "bytes=-99999999999999999999" });
    expect([suffix.status, suffix.headers["content-range"]]).toEqual([206, `bytes 0-${BIG.length - 1}/${BIG.length}`]);
  });

  it("answers an unsatisfiable range with 416 and the size, and ignores malformed or multiple ranges (200)", async () => {
    // A start past the end is unsatisfiable however many digits it has (RFC 9110 §14.1.2).
    for (const range of ["bytes=100000-", "bytes=200000-300000", "bytes=-0", "bytes=99999999999999999-", "bytes=9007199254740993-", "bytes=99999999999999999999-"]) {
      const answer = await send(served.server.url, "GET", "/big.bin", { range });
      expect(answer.status, range).toBe(416);
      expect(answer.headers["content-range"], range).toBe(`bytes */${BIG.length}`);
    }
    for (const range of ["bytes=5-1", "bytes=abc", "items=0-5", "bytes=0-1,5-6", "bytes=", "bytes=--5"]) {
      const answer = await send(served.server.url, "GET", "/big.bin", { range });
      expect(answer.status, range).toBe(200);
      expect(answer.body.length, range).toBe(BIG.length);
    }
  });

  it("evaluates If-None-Match / If-Modified-Since (304), If-Match (412) and If-Range (RFC 9110 §13)", async () => {
    const first = await send(served.server.url, "HEAD", "/big.bin");
    const etag = first.headers.etag as string;
    const modified = first.headers["last-modified"] as string;
    expect((await send(served.server.url, "GET", "/big.bin", { "if-none-match": etag })).status).toBe(304);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-none-match": `W/${etag}` })).status).toBe(304);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-none-match": '"other"' })).status).toBe(200);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-modified-since": modified })).status).toBe(304);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" })).status).toBe(200);
    // If-None-Match wins over If-Modified-Since (§13.2.2 step 4 runs only without it).
    expect((await send(served.server.url, "GET", "/big.bin", { "if-none-match": '"other"', "if-modified-since": modified })).status).toBe(200);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-match": etag, range: "bytes=0-9" })).status).toBe(206);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-match": '"other"' })).status).toBe(412);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-match": `W/${etag}` })).status).toBe(412);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-unmodified-since": "Thu, 01 Jan 1970 00:00:00 GMT" })).status).toBe(412);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-range": etag, range: "bytes=0-9" })).status).toBe(206);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-range": modified, range: "bytes=0-9" })).status).toBe(206);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-range": '"old"', range: "bytes=0-9" })).status).toBe(200);
    expect((await send(served.server.url, "GET", "/big.bin", { "if-range": `W/${etag}`, range: "bytes=0-9" })).status).toBe(200);
  });

  it("serves a symlink that stays inside, lists a directory as HTML, and 404s what is missing", async () => {
    expect((await send(served.server.url, "GET", "/inside-link.txt")).body.toString()).toBe("hello, pktio\n");
    const index = await send(served.server.url, "GET", "/dir/");
    expect(index.status).toBe(200);
    expect(index.body.toString()).toContain('<a href="/dir/a%20b%26c.txt">a b&#38;c.txt</a>');
    expect((await send(served.server.url, "GET", "/nope.txt")).status).toBe(404);
  });

  it("writes one access-log line per request: method, path without query, status, bytes, ms", async () => {
    const before = served.log.length;
    await send(served.server.url, "GET", "/big.bin?sig=SECRET-QUERY", { range: "bytes=0-99", authorization: "Bearer x" });
    await expect.poll(() => served.log.length).toBe(before + 1);
    const line = served.log[before] as string;
    expect(line).toMatch(/^\S+Z 127\.0\.0\.1 GET \/big\.bin 206 100 \d+\.\dms$/);
    expect(line).not.toContain("SECRET");
  });
});

describe("serveDirectory: bearer token", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree({ token: "s3cret-token" });
  });
  afterAll(() => served.close());

  it("answers 401 without or with a wrong token, 200 with the right one, and never logs it", async () => {
    for (const authorization of [undefined, "Bearer wrong", "Bearer s3cret-toke", "Bearer s3cret-tokenX", "Basic czNjcmV0LXRva2Vu", "s3cret-token"]) {
      const answer = await send(served.server.url, "GET", "/hello.txt", authorization === undefined ? {} : { authorization });
      expect(answer.status, authorization).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe('Bearer realm="pktio"');
    }
    expect((await send(served.server.url, "GET", "/hello.txt", { authorization: "Bearer s3cret-token" })).status).toBe(200);
    await expect.poll(() => served.log.length).toBe(7);
    expect(served.log.join("\n")).not.toContain("s3cret");
  });
});

describe("serveDirectory: read-only", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree({ readOnly: true });
  });
  afterAll(() => served.close());

  it("refuses PUT, PATCH, DELETE, MKCOL, MOVE and COPY with 403 and still serves reads", async () => {
    expect((await send(served.server.url, "PUT", "/new.txt", {}, "x")).status).toBe(403);
    expect((await send(served.server.url, "PATCH", "/hello.txt", { "content-type": "application/x-sabredav-partialupdate", "x-update-range": "bytes=0-0" }, "x")).status).toBe(403);
    expect((await send(served.server.url, "DELETE", "/hello.txt")).status).toBe(403);
    expect((await send(served.server.url, "MKCOL", "/newdir")).status).toBe(403);
    expect((await send(served.server.url, "MOVE", "/hello.txt", { destination: "/moved.txt" })).status).toBe(403);
    expect((await send(served.server.url, "COPY", "/hello.txt", { destination: "/copied.txt" })).status).toBe(403);
    expect(existsSync(join(served.root, "copied.txt"))).toBe(false);
    expect((await send(served.server.url, "GET", "/hello.txt")).status).toBe(200);
    expect((await send(served.server.url, "OPTIONS", "/")).headers.allow).toBe("OPTIONS, GET, HEAD, PROPFIND");
  });
});

describe("serveDirectory: TLS", () => {
  // A self-signed certificate for 127.0.0.1, made for these tests only (test/fixtures).
  const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
  const cert = readFileSync(join(fixtures, "test-cert.pem"), "utf8");
  let served: Served;
  beforeAll(async () => {
    served = await serveTree({ tls: { key: readFileSync(join(fixtures, "test-key.pem")), cert } });
  });
  afterAll(() => served.close());

  it("serves HTTPS with the given key and certificate", async () => {
    expect(served.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(new URL("hello.txt", served.server.url), { ca: cert, agent: false, headers: { range: "bytes=7-11" } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve(`${res.statusCode} ${text}`));
      });
      req.on("error", reject);
      req.end();
    });
    expect(body).toBe("206 pktio");
  });

  it("refuses a client that does not trust the certificate", async () => {
    const failure = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const req = httpsRequest(new URL("hello.txt", served.server.url), { agent: false }, () => resolve(new Error("answered") as NodeJS.ErrnoException));
      req.on("error", resolve);
      req.end();
    });
    expect(failure.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });
});

describe("serveDirectory: PATCH (sabre/dav partial updates)", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree({ maxBodyBytes: 1000 });
  });
  afterAll(() => served.close());
  const patch = (path: string, range: string, body: string, headers: Record<string, string> = {}): ReturnType<typeof send> =>
    send(served.server.url, "PATCH", path, { "content-type": "application/x-sabredav-partialupdate", "x-update-range": range, ...headers }, body);

  it("advertises partial updates and writes bytes in place (a range, a suffix, append)", async () => {
    const options = await send(served.server.url, "OPTIONS", "/hello.txt");
    expect(options.headers.dav).toBe("1, sabredav-partialupdate");
    expect(options.headers["accept-patch"]).toBe("application/x-sabredav-partialupdate");
    expect((await patch("/hello.txt", "bytes=0-4", "HELLO")).status).toBe(204);
    expect((await patch("/hello.txt", "bytes=-3", "IO\n")).status).toBe(204);
    expect((await patch("/hello.txt", "append", "more\n")).status).toBe(204);
    expect((await patch("/hello.txt", "bytes=7-", "P")).status).toBe(204);
    expect(readFileSync(join(served.root, "hello.txt"), "utf8")).toBe("HELLO, PktIO\nmore\n");
  });

  it("refuses what it cannot apply: other media types (415), bad or mismatched ranges (400/416), missing files (404), a stale If-Match (412), a body over the limit (413)", async () => {
    expect((await send(served.server.url, "PATCH", "/big.bin", { "content-type": "application/json" }, "{}")).status).toBe(415);
    expect((await patch("/big.bin", "bytes=a-b", "x")).status).toBe(400);
    expect((await patch("/big.bin", "bytes=0-9", "short")).status).toBe(416);
    expect((await patch("/big.bin", "bytes=-999999", "x")).status).toBe(416);
    expect((await send(served.server.url, "PATCH", "/big.bin", { "content-type": "application/x-sabredav-partialupdate" }, "x")).status).toBe(400);
    expect((await patch("/nope.bin", "bytes=0-0", "x")).status).toBe(404);
    expect((await patch("/dir", "bytes=0-0", "x")).status).toBe(405);
    expect((await patch("/big.bin", "bytes=0-0", "x", { "if-match": '"stale"' })).status).toBe(412);
    expect((await patch("/big.bin", "bytes=0-", "y".repeat(1001))).status).toBe(413);
    expect(Buffer.compare(readFileSync(join(served.root, "big.bin")), Buffer.from(BIG))).toBe(0);
  });
});
