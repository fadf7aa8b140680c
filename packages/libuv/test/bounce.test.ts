/**
 * libuv keeps plain ArrayBuffer memory away from Node's thread pool: a file transfer of such a
 * buffer moves through memory of the backend's own (internal/BouncePool.ts), so a caller that
 * detaches the buffer while the read is queued or in the pool gets kind InvalidInput, the pool
 * never writes into memory that was freed, and the file keeps working. SharedArrayBuffer views
 * (which cannot be detached) still go to the pool as they are.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { seededBytes } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLibuv } from "../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("libuv file transfers of detachable buffers", () => {
  let dir: string;
  let path: string;
  let data: Uint8Array;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-libuv-bounce-"));
    path = join(dir, "data.bin");
    data = seededBytes(1 << 20, 0x1b);
    writeFileSync(path, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads whose buffers are detached right after the call fail InvalidInput; the next reads are right", async () => {
    const rt = openLibuv();
    const file = await rt.fs.open(path);
    const reads = Array.from({ length: 32 }, (_, i) => {
      const dst = new Uint8Array(64 * 1024);
      const read = file.readAt((i * 4096) % (data.byteLength - dst.byteLength), dst).then(
        () => "done",
        (error: { kind?: string; message?: string }) => `${error.kind}: ${error.message}`,
      );
      structuredClone(dst.buffer, { transfer: [dst.buffer] });
      return read;
    });
    // The clones' memory goes back now: a pool thread still pointing at it would write into it.
    gc();
    for (const outcome of await Promise.all(reads)) expect(outcome).toMatch(/^InvalidInput: .*detached/);
    const dst = new Uint8Array(8192);
    expect(await file.readAt(4096, dst)).toBe(8192);
    expect(Buffer.compare(dst, data.subarray(4096, 4096 + 8192))).toBe(0);
    const shared = new Uint8Array(new SharedArrayBuffer(8192));
    expect(await file.readAt(8192, shared)).toBe(8192);
    expect(Buffer.compare(shared, data.subarray(8192, 16_384))).toBe(0);
    await file.close();
    await rt.close();
  });

  it("a write whose buffer is detached right after the call writes the bytes it had at the call", async () => {
    const rt = openLibuv();
    const out = join(dir, "written.bin");
    const file = await rt.fs.open(out, { write: true, create: true, truncate: true });
    const src = data.slice(0, 100_000);
    const writing = file.writeAllAt(0, src);
    structuredClone(src.buffer, { transfer: [src.buffer] });
    gc();
    await writing;
    await file.close();
    const reread = await rt.fs.open(out);
    const back = new Uint8Array(100_000);
    expect(await reread.readAt(0, back)).toBe(100_000);
    expect(Buffer.compare(back, data.subarray(0, 100_000))).toBe(0);
    await reread.close();
    await rt.close();
  });
});
