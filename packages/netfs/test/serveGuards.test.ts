/**
 * `serveDirectory` where a request could lose data (helper findings, 2026-12-08): a MOVE onto the
 * file its source leads to (a symlink, a symlinked directory on the way, a hard link) is 403 and
 * deletes nothing; DELETE, MOVE and COPY honour If-Match and If-Unmodified-Since (RFC 9110
 * §13.1.1, §13.1.4), so openWebDavFs's guarded removeFile fails Stale instead of deleting a newer
 * version; a PUT into a collection that a MOVE carried away during the upload is 409 and leaves
 * no upload file anywhere (uploads are staged in the root, which no request moves); and staging
 * works across a file system mounted beneath the root (EXDEV: copied into place instead).
 */
import { execFileSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWebDavFs } from "../src/index.js";
import { send, serveTree, type Served } from "./serveFixture.js";

/** Every staged upload left anywhere in the tree (names with the server's reserved prefix). */
function stagedFiles(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).filter((name) => name.split("/").some((part) => part.startsWith(".pktio-upload-")));
}

describe("serveDirectory: requests that must not lose data", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree();
  });
  afterAll(() => served.close());

  it("MOVE of a link onto the file it names is 403 and leaves the file (was: 204, the file became a link to itself)", async () => {
    writeFileSync(join(served.root, "precious.txt"), "precious data");
    symlinkSync("precious.txt", join(served.root, "alias.txt"));
    expect((await send(served.server.url, "MOVE", "/alias.txt", { destination: "/precious.txt" })).status).toBe(403);
    expect(readFileSync(join(served.root, "precious.txt"), "utf8")).toBe("precious data");
    expect(readlinkSync(join(served.root, "alias.txt"))).toBe("precious.txt");
  });

  it("MOVE of a file through a symlinked directory onto itself is 403 and deletes nothing (was: 409 after deleting it)", async () => {
    mkdirSync(join(served.root, "real"));
    writeFileSync(join(served.root, "real/x.txt"), "only copy");
    symlinkSync("real", join(served.root, "linked"));
    expect((await send(served.server.url, "MOVE", "/linked/x.txt", { destination: "/real/x.txt" })).status).toBe(403);
    expect(readFileSync(join(served.root, "real/x.txt"), "utf8")).toBe("only copy");
  });

  it("MOVE onto another hard link of the source, or onto a symlink to it, moves it (deleting the destination entry loses nothing)", async () => {
    writeFileSync(join(served.root, "h1.txt"), "linked twice");
    linkSync(join(served.root, "h1.txt"), join(served.root, "h2.txt"));
    expect((await send(served.server.url, "MOVE", "/h1.txt", { destination: "/h2.txt" })).status).toBe(204);
    expect(existsSync(join(served.root, "h1.txt"))).toBe(false);
    expect(readFileSync(join(served.root, "h2.txt"), "utf8")).toBe("linked twice");
    writeFileSync(join(served.root, "target.txt"), "pointed at");
    symlinkSync("target.txt", join(served.root, "pointer.txt"));
    expect((await send(served.server.url, "MOVE", "/target.txt", { destination: "/pointer.txt" })).status).toBe(204);
    expect(existsSync(join(served.root, "target.txt"))).toBe(false);
    expect(readFileSync(join(served.root, "pointer.txt"), "utf8")).toBe("pointed at");
    expect(() => readlinkSync(join(served.root, "pointer.txt"))).toThrow();
    // A collection onto a symlink to it: the link goes, the collection takes its name.
    mkdirSync(join(served.root, "coll"));
    writeFileSync(join(served.root, "coll", "in.txt"), "inside");
    symlinkSync("coll", join(served.root, "coll-link"));
    expect((await send(served.server.url, "MOVE", "/coll/", { destination: "/coll-link/" })).status).toBe(204);
    expect(readFileSync(join(served.root, "coll-link", "in.txt"), "utf8")).toBe("inside");
    expect(existsSync(join(served.root, "coll"))).toBe(false);
  });

  it("a Destination that is a network-path reference (//host/x) is 400 for MOVE and COPY, nothing made", async () => {
    for (const method of ["MOVE", "COPY"]) expect((await send(served.server.url, method, "/hello.txt", { destination: "//evil.example/x" })).status, method).toBe(400);
    expect(existsSync(join(served.root, "evil.example"))).toBe(false);
    expect(readFileSync(join(served.root, "hello.txt"), "utf8")).toBe("hello, pktio\n");
  });

  it("DELETE, MOVE and COPY with a stale If-Match or an old If-Unmodified-Since are 412 and change nothing", async () => {
    const url = served.server.url;
    writeFileSync(join(served.root, "guarded.txt"), "version 1");
    const etag = (await send(url, "HEAD", "/guarded.txt")).headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const stale = { "if-match": '"not-the-version"' };
    const old = { "if-unmodified-since": "Mon, 01 Jan 1990 00:00:00 GMT" };
    for (const guard of [stale, old]) {
      expect((await send(url, "DELETE", "/guarded.txt", guard)).status).toBe(412);
      expect((await send(url, "MOVE", "/guarded.txt", { ...guard, destination: "/moved.txt" })).status).toBe(412);
      expect((await send(url, "COPY", "/guarded.txt", { ...guard, destination: "/copied.txt" })).status).toBe(412);
      expect((await send(url, "DELETE", "/dir/", guard)).status).toBe(412);
    }
    expect(readFileSync(join(served.root, "guarded.txt"), "utf8")).toBe("version 1");
    expect(existsSync(join(served.root, "moved.txt")) || existsSync(join(served.root, "copied.txt"))).toBe(false);
    expect(existsSync(join(served.root, "dir/sub/deep.txt"))).toBe(true);
    // If-None-Match: * on a resource that exists fails too; on one that does not, DELETE is 404.
    expect((await send(url, "DELETE", "/guarded.txt", { "if-none-match": "*" })).status).toBe(412);
    expect((await send(url, "DELETE", "/never-there.txt", { "if-match": "*" })).status).toBe(412);
    // The current version passes: each method acts.
    expect((await send(url, "COPY", "/guarded.txt", { "if-match": etag, destination: "/copied.txt" })).status).toBe(201);
    expect((await send(url, "MOVE", "/copied.txt", { "if-match": (await send(url, "HEAD", "/copied.txt")).headers.etag as string, destination: "/moved.txt" })).status).toBe(201);
    expect((await send(url, "DELETE", "/guarded.txt", { "if-match": etag })).status).toBe(204);
    expect(existsSync(join(served.root, "guarded.txt"))).toBe(false);
    expect(readFileSync(join(served.root, "moved.txt"), "utf8")).toBe("version 1");
  });

  it("openWebDavFs's removeFile of a file replaced after its check fails Stale and deletes nothing", async () => {
    writeFileSync(join(served.root, "replaced.txt"), "version 1");
    const upstream = new URL(served.server.url);
    // Between the client's PROPFIND and its DELETE, another writer replaces the file (a proxy
    // that PUTs a new version, then forwards the DELETE with the client's If-Match).
    let ifMatch: string | undefined;
    const proxy = createServer((req, res) => {
      const forward = (): void => {
        const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        req.pipe(out);
      };
      if (req.method !== "DELETE") return forward();
      ifMatch = req.headers["if-match"];
      void send(served.server.url, "PUT", "/replaced.txt", {}, "version 2, by someone else").then(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const fs = await openWebDavFs(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`, { retries: 0 });
    try {
      await expect(fs.removeFile("replaced.txt")).rejects.toMatchObject({ kind: "Stale" });
      expect(ifMatch).toMatch(/^".+"$/);
      expect(readFileSync(join(served.root, "replaced.txt"), "utf8")).toBe("version 2, by someone else");
    } finally {
      await fs.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("a PUT into a collection moved during the upload is 409 and leaves no upload file anywhere", async () => {
    const url = new URL(served.server.url);
    mkdirSync(join(served.root, "d"));
    const req = httpRequest({ host: url.hostname, port: url.port, method: "PUT", path: "/d/x.bin", headers: { "content-length": 2 * 65536 }, agent: false });
    const answer = new Promise<number>((resolve, reject) => {
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
    });
    req.write(Buffer.alloc(65536, 1));
    // The staged upload appears once the server has started writing the body.
    while (stagedFiles(served.root).length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect((await send(served.server.url, "MOVE", "/d/", { destination: "/e/" })).status).toBe(201);
    req.end(Buffer.alloc(65536, 2));
    expect(await answer).toBe(409);
    expect(stagedFiles(served.root)).toEqual([]);
    expect(readdirSync(join(served.root, "e"))).toEqual([]);
  });
});

describe("serveDirectory: uploads into a file system mounted beneath the root", () => {
  let served: Served;
  let missing: string | undefined;
  let mountPoint: string;
  beforeAll(async () => {
    served = await serveTree();
    mountPoint = join(served.root, "mounted");
    mkdirSync(mountPoint);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=4M", "tmpfs", mountPoint], { stdio: "pipe" });
    } catch (error) {
      missing = `a tmpfs cannot be mounted here (needs root): ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
    }
  });
  afterAll(async () => {
    if (missing === undefined) execFileSync("umount", ["-l", mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
    await served.close();
  });

  it("PUT and COPY there (rename fails EXDEV) are copied into place: whole files, no upload file left", async (context) => {
    if (missing !== undefined) return context.skip(missing);
    const url = served.server.url;
    const body = Buffer.alloc(300_000, 7);
    expect((await send(url, "PUT", "/mounted/up.bin", {}, body)).status).toBe(201);
    expect((await send(url, "PUT", "/mounted/up.bin", {}, "replaced")).status).toBe(204);
    expect((await send(url, "COPY", "/big.bin", { destination: "/mounted/big.bin" })).status).toBe(201);
    expect(readFileSync(join(mountPoint, "up.bin"), "utf8")).toBe("replaced");
    expect(Buffer.compare(readFileSync(join(mountPoint, "big.bin")), readFileSync(join(served.root, "big.bin")))).toBe(0);
    expect(stagedFiles(served.root)).toEqual([]);
  });
});
