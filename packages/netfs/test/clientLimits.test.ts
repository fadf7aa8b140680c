/**
 * The clients' errors at their limits (helper findings, 2026-12-04): copyFile's GET-and-PUT
 * fallback past maxWriteBytes is FileTooLarge and says which limit, and a refused connection that
 * openHttpFile retried says how many attempts it made, as openWebDavFs's errors do.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHttpFile } from "../src/http/openHttpFile.js";
import { openWebDavFs } from "../src/webdav/openWebDavFs.js";
import { serveTree, type Served } from "./serveFixture.js";

describe("client limits", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveTree();
    writeFileSync(join(served.root, "two-k.bin"), new Uint8Array(2048).fill(3));
  });
  afterAll(() => served.close());

  it("copyFile through GET and PUT (a server without COPY) past maxWriteBytes fails FileTooLarge naming the limit", async () => {
    const fs = await openWebDavFs(served.server.url, { maxWriteBytes: 1000 });
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
