/**
 * Our server checked by third-party WebDAV clients: the `webdav` npm client (list, stat, ranged
 * reads, put, mkdir, move, delete) and rclone's webdav remote, configured by environment
 * variables, where rclone is installed (CI installs it: .ci/run).
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type FileStat, type WebDAVClient } from "webdav";
import { BIG, serveTree, type Served } from "./serveFixture.js";

const run = promisify(execFile);
const TOKEN = "client-test-token";

describe("serveDirectory with the webdav npm client", () => {
  let served: Served;
  let client: WebDAVClient;
  beforeAll(async () => {
    served = await serveTree({ token: TOKEN });
    client = createClient(served.server.url, { headers: { authorization: `Bearer ${TOKEN}` } });
  });
  afterAll(() => served.close());

  it("lists a collection and stats a file", async () => {
    const entries = (await client.getDirectoryContents("/")) as FileStat[];
    const byName = Object.fromEntries(entries.map((entry) => [entry.basename, entry]));
    expect(Object.keys(byName).sort()).toEqual(["big.bin", "dir", "hello.txt", "inside-link.txt"]);
    expect(byName["dir"]?.type).toBe("directory");
    expect(byName["big.bin"]).toMatchObject({ type: "file", size: BIG.length });
    const nested = (await client.getDirectoryContents("/dir")) as FileStat[];
    expect(nested.map((entry) => entry.basename).sort()).toEqual(["a b&c.txt", "sub"]);
    const stat = (await client.stat("/dir/a b&c.txt")) as FileStat;
    expect(stat).toMatchObject({ type: "file", size: 21, filename: "/dir/a b&c.txt" });
    expect(stat.etag).not.toBeNull();
  });

  it("reads a whole file and byte ranges", async () => {
    expect(await client.getFileContents("/hello.txt", { format: "text" })).toBe("hello, pktio\n");
    for (const [start, end] of [[0, 9], [12_345, 54_321], [99_999, 99_999]] as const) {
      const chunks: Buffer[] = [];
      for await (const chunk of client.createReadStream("/big.bin", { range: { start, end } }) as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
      expect(Buffer.compare(Buffer.concat(chunks), Buffer.from(BIG.subarray(start, end + 1)))).toBe(0);
    }
  });

  it("puts, makes collections, moves and deletes", async () => {
    await client.createDirectory("/made");
    expect(await client.putFileContents("/made/new.txt", "new content\n")).toBe(true);
    expect(readFileSync(join(served.root, "made/new.txt"), "utf8")).toBe("new content\n");
    expect(await client.putFileContents("/made/new.txt", "second\n", { overwrite: false })).toBe(false);
    await client.putFileContents("/made/new.txt", "replaced\n");
    expect(readFileSync(join(served.root, "made/new.txt"), "utf8")).toBe("replaced\n");
    await client.createDirectory("/made/deeper/still", { recursive: true });
    await client.moveFile("/made/new.txt", "/made/deeper/moved.txt");
    expect(existsSync(join(served.root, "made/new.txt"))).toBe(false);
    expect(readFileSync(join(served.root, "made/deeper/moved.txt"), "utf8")).toBe("replaced\n");
    expect(await client.exists("/made/deeper/moved.txt")).toBe(true);
    await client.deleteFile("/made/deeper/moved.txt");
    expect(await client.exists("/made/deeper/moved.txt")).toBe(false);
    await client.deleteFile("/made");
    expect(existsSync(join(served.root, "made"))).toBe(false);
  });

  it("updates part of a file with the client's partialUpdateFileContents (sabre/dav PATCH, found through OPTIONS)", async () => {
    await client.putFileContents("/partial.txt", "0123456789");
    await client.partialUpdateFileContents("/partial.txt", 2, 4, "abc");
    expect(readFileSync(join(served.root, "partial.txt"), "utf8")).toBe("01abc56789");
    await client.deleteFile("/partial.txt");
  });

  it("copies a file and a collection with the client's copyFile (COPY), Overwrite honoured", async () => {
    await client.copyFile("/hello.txt", "/hello-copy.txt");
    expect(readFileSync(join(served.root, "hello-copy.txt"), "utf8")).toBe("hello, pktio\n");
    await client.copyFile("/dir", "/dir-copy");
    expect(readFileSync(join(served.root, "dir-copy/sub/deep.txt"), "utf8")).toBe("deep\n");
    expect(readFileSync(join(served.root, "dir-copy/a b&c.txt"), "utf8")).toBe("spaces and ampersand\n");
    await expect(client.copyFile("/big.bin", "/hello-copy.txt", { overwrite: false })).rejects.toThrow(/412/);
    expect(readFileSync(join(served.root, "hello-copy.txt"), "utf8")).toBe("hello, pktio\n");
    await client.copyFile("/big.bin", "/hello-copy.txt");
    expect(Buffer.compare(readFileSync(join(served.root, "hello-copy.txt")), Buffer.from(BIG))).toBe(0);
    await expect(client.copyFile("/dir", "/dir/sub/inner")).rejects.toThrow(/409/);
    await expect(client.copyFile("/missing.txt", "/x.txt")).rejects.toThrow(/404/);
    await client.deleteFile("/hello-copy.txt");
    await client.deleteFile("/dir-copy");
  });

  it("reports a missing file and a wrong token as errors with their status", async () => {
    await expect(client.stat("/missing.txt")).rejects.toMatchObject({ status: 404 });
    const intruder = createClient(served.server.url, { headers: { authorization: "Bearer wrong" } });
    await expect(intruder.getDirectoryContents("/")).rejects.toMatchObject({ status: 401 });
  });
});

const rclone = (() => {
  try {
    return existsSync("/usr/bin/rclone") ? "/usr/bin/rclone" : undefined;
  } catch {
    return undefined;
  }
})();

describe.skipIf(rclone === undefined)(`serveDirectory with rclone${rclone === undefined ? " (skipped: rclone is not installed; apt-get install rclone, as .ci/run does)" : ""}`, () => {
  let served: Served;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    served = await serveTree({ token: TOKEN });
    env = {
      PATH: process.env["PATH"],
      HOME: served.root,
      RCLONE_CONFIG: "/dev/null",
      RCLONE_CONFIG_PKTIO_TYPE: "webdav",
      RCLONE_CONFIG_PKTIO_URL: served.server.url,
      RCLONE_CONFIG_PKTIO_VENDOR: "other",
      RCLONE_CONFIG_PKTIO_BEARER_TOKEN: TOKEN,
    };
  });
  afterAll(() => served.close());

  it("lsjson lists the tree with sizes and directories", async () => {
    const { stdout } = await run(rclone as string, ["lsjson", "--recursive", "pktio:"], { env });
    const entries = JSON.parse(stdout) as { Path: string; Size: number; IsDir: boolean }[];
    const byPath = Object.fromEntries(entries.map((entry) => [entry.Path, entry]));
    expect(Object.keys(byPath).sort()).toEqual(["big.bin", "dir", "dir/a b&c.txt", "dir/sub", "dir/sub/deep.txt", "hello.txt", "inside-link.txt"]);
    expect(byPath["big.bin"]).toMatchObject({ Size: BIG.length, IsDir: false });
    expect(byPath["dir/sub"]?.IsDir).toBe(true);
  });

  it("cat --offset --count reads a range", async () => {
    const { stdout } = await run(rclone as string, ["cat", "--offset", "1000", "--count", "500", "pktio:big.bin"], { env, encoding: "buffer" });
    expect(Buffer.compare(stdout, Buffer.from(BIG.subarray(1000, 1500)))).toBe(0);
  });

  it("copyto copies a file on the server (COPY), byte for byte", async () => {
    await run(rclone as string, ["copyto", "pktio:big.bin", "pktio:copies/big-copy.bin"], { env });
    expect(Buffer.compare(readFileSync(join(served.root, "copies/big-copy.bin")), Buffer.from(BIG))).toBe(0);
    await run(rclone as string, ["purge", "pktio:copies"], { env });
  });

  it("copies a file up, moves it and deletes it", async () => {
    await new Promise<void>((resolve, reject) => {
      const child = execFile(rclone as string, ["rcat", "pktio:up/loaded.txt"], { env }, (error) => (error === null ? resolve() : reject(error)));
      child.stdin?.end("uploaded by rclone\n");
    });
    expect(readFileSync(join(served.root, "up/loaded.txt"), "utf8")).toBe("uploaded by rclone\n");
    await run(rclone as string, ["moveto", "pktio:up/loaded.txt", "pktio:up/moved.txt"], { env });
    expect(readFileSync(join(served.root, "up/moved.txt"), "utf8")).toBe("uploaded by rclone\n");
    await run(rclone as string, ["purge", "pktio:up"], { env });
    expect(existsSync(join(served.root, "up"))).toBe(false);
  });
});
