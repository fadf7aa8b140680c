/**
 * core's `copyThroughHandles` (copyFile beneath a root) over libuv's real directory handle, with
 * one call made to fail: what a failed copy leaves. A failure before the destination was cut
 * (its truncate refused) leaves the destination as it was; one after it removes the destination,
 * as node:fs's copyfile does. The failures are injected by wrapping the handle's own opens.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IoError, type DirHandle, type FileHandle } from "@pktio/core";
import { copyThroughHandles, copyThroughHandlesSync } from "@pktio/core/backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLibuv, type LibuvRuntime } from "../src/index.js";

let rt: LibuvRuntime;
let dir: string;
beforeAll(() => {
  rt = openLibuv();
  dir = mkdtempSync(join(tmpdir(), "pktio-copy-"));
  writeFileSync(join(dir, "source.bin"), "new bytes");
});
afterAll(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The destination's handle with `method` failing (the source's handle untouched). */
function failing(handle: FileHandle, method: "truncate" | "writeAllAt"): FileHandle {
  const refuse = (): never => {
    throw new IoError("Other", `injected: ${method} refused`, { op: method });
  };
  return new Proxy(handle, {
    get(target, key) {
      if (key === method) return async () => refuse();
      if (key === `${method}Sync`) return refuse;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `root`'s opens, the destination's (a write open) with `method` failing. */
function withFailing(root: DirHandle, method: "truncate" | "writeAllAt"): DirHandle {
  return new Proxy(root, {
    get(target, key) {
      if (key === "open") return async (path: string, options?: { write?: boolean }) => (options?.write === true ? failing(await target.open(path, options), method) : target.open(path, options));
      if (key === "openSync") return (path: string, options?: { write?: boolean }) => (options?.write === true ? failing(target.openSync(path, options), method) : target.openSync(path, options));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe("copyThroughHandles when a call fails", () => {
  it("a refused truncate leaves an existing destination whole; a failed write removes the cut destination (async and sync)", async () => {
    const root = await rt.fs.openDir(dir);
    try {
      for (const sync of [false, true]) {
        writeFileSync(join(dir, "kept.bin"), "old bytes that must stay");
        const cutFails = withFailing(root, "truncate");
        const copy = sync ? async () => copyThroughHandlesSync(cutFails, "source.bin", "kept.bin", "libuv") : () => copyThroughHandles(cutFails, "source.bin", "kept.bin", "libuv");
        await expect(copy()).rejects.toThrow(/injected: truncate refused/);
        expect(readFileSync(join(dir, "kept.bin"), "utf8")).toBe("old bytes that must stay");
        const writeFails = withFailing(root, "writeAllAt");
        const cut = sync ? async () => copyThroughHandlesSync(writeFails, "source.bin", "kept.bin", "libuv") : () => copyThroughHandles(writeFails, "source.bin", "kept.bin", "libuv");
        await expect(cut()).rejects.toThrow(/injected: writeAllAt refused/);
        expect(readdirSync(dir).sort()).toEqual(["source.bin"]);
      }
    } finally {
      await root.close();
    }
  });
});
