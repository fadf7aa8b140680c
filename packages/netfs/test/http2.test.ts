/**
 * HTTP/2 over TLS: with `http2` on (the default) undici negotiates h2 by ALPN where the server
 * offers it, and many views share one connection's streams; with it off, HTTP/1.1. The server is
 * Node's http2 secure server (HTTP/1.1 allowed) with a self-signed certificate made by openssl
 * for the test and trusted through the `tls.ca` option.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHttpFile } from "../src/index.js";
import { seededBytes } from "./servers/fixture.js";
import { serveCorrectly } from "./servers/faultServer.js";

const openssl = spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0;
const bytes = seededBytes(300_000, 0x22);

describe.skipIf(!openssl)(`HTTP/2${openssl ? "" : " (skipped: openssl is not installed, no certificate can be made)"}`, () => {
  let dir: string;
  let ca: string;
  let server: Http2SecureServer;
  let url: string;
  const versions: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pktio-h2-"));
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    ca = readFileSync(join(dir, "cert.pem"), "utf8");
    server = createSecureServer({ key: readFileSync(join(dir, "key.pem")), cert: ca, allowHTTP1: true }, (request, response) => {
      versions.push(request.httpVersion);
      serveCorrectly(request as never, response as never, bytes, { etag: '"h2"' });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/file.bin`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const http2 of [true, false]) {
    it(`http2: ${http2} — ${http2 ? "h2 negotiated" : "HTTP/1.1"}, 64 reads in flight, bytes right`, async () => {
      versions.length = 0;
      const file = await openHttpFile(url, { http2, tls: { ca }, coalesce: false });
      try {
        const reads = Array.from({ length: 64 }, async (_, index) => {
          const pos = index * 4000;
          const dst = new Uint8Array(3000);
          await file.readExactAt(pos, dst);
          expect(Buffer.from(dst).equals(Buffer.from(bytes.subarray(pos, pos + 3000))), String(pos)).toBe(true);
        });
        await Promise.all(reads);
        expect(file.stats.requests).toBe(64);
      } finally {
        await file.close();
      }
      expect(new Set(versions)).toEqual(new Set([http2 ? "2.0" : "1.1"]));
    });
  }

  it("an untrusted certificate fails the open PermissionDenied, not retried (not a silent downgrade)", async () => {
    await expect(openHttpFile(url, { retries: 3, retryDelayMs: 1000 })).rejects.toMatchObject({ kind: "PermissionDenied", message: expect.stringMatching(/TLS: .*certificate/i) });
  });
});
