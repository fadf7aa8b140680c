/**
 * The clients' errors at their limits (helper findings, 2026-12-04): copyFile's GET-and-PUT
 * fallback past maxWriteBytes is FileTooLarge and says which limit, and a refused connection that
 * openHttpFile retried says how many attempts it made, as openWebDavFs's errors do.
 */
import { writeFileSync } from "node:fs";
import { createServer as createHttpServer, request } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHttpFile } from "../src/http/openHttpFile.js";
import { openWebDavFs } from "../src/webdav/openWebDavFs.js";
import { serveTree, type Served } from "./serveFixture.js";

describe("client limits", () => {
  let served: Served;
  /** Our server behind a proxy that answers COPY 405, as servers without COPY do. */
  let withoutCopy: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    served = await serveTree();
    writeFileSync(join(served.root, "two-k.bin"), new Uint8Array(2048).fill(3));
    const target = new URL(served.server.url);
    const proxy = createHttpServer((req, res) => {
      if (req.method === "COPY") return void res.writeHead(405, { allow: "GET, PUT" }).end();
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    withoutCopy = {
      url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
      close: () => new Promise((resolve) => proxy.close(() => resolve())),
    };
  });
  afterAll(async () => {
    await withoutCopy.close();
    await served.close();
  });

  it("copyFile through GET and PUT (a server without COPY) past maxWriteBytes fails FileTooLarge naming the limit", async () => {
    const fs = await openWebDavFs(withoutCopy.url, { maxWriteBytes: 1000 });
    try {
      await expect(fs.copyFile("two-k.bin", "copy.bin")).rejects.toThrow(expect.objectContaining({ kind: "FileTooLarge", message: expect.stringMatching(/maxWriteBytes \(1000 bytes\)/) }));
      await expect(fs.stat("copy.bin")).rejects.toThrow(expect.objectContaining({ kind: "NotFound" }));
      // Within the limit the fallback copies.
      await fs.copyFile("hello.txt", "hello-copy.txt");
      expect((await fs.stat("hello-copy.txt")).size).toBe(13);
    } finally {
      await fs.close();
    }
  });

  it("openHttpFile's final Refused, after its retries, says how many attempts it made", async () => {
    // A port nobody listens on: taken, then released.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port: taken } = probe.address() as { port: number };
        probe.close(() => resolve(taken));
      });
    });
    await expect(openHttpFile(`http://127.0.0.1:${port}/x`, { retries: 2, retryDelayMs: 1, maxRetryDelayMs: 2 })).rejects.toThrow(
      expect.objectContaining({ kind: "Refused", message: expect.stringMatching(/after 3 attempts/) }),
    );
    await expect(openHttpFile(`http://127.0.0.1:${port}/x`, { retries: 0 })).rejects.toThrow(expect.objectContaining({ kind: "Refused", message: expect.not.stringMatching(/attempts/) }));
  });
});
