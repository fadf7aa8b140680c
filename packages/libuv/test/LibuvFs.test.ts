import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LibuvBackend, openLibuv, type LibuvRuntime } from "../src/index.js";

let rt: LibuvRuntime;
let dir: string;
beforeAll(() => {
  rt = openLibuv();
  dir = mkdtempSync(join(tmpdir(), "pktio-libuv-"));
  mkdirSync(join(dir, "root/inner"), { recursive: true });
  writeFileSync(join(dir, "root/inner/file.txt"), "inside");
  writeFileSync(join(dir, "secret.txt"), "outside");
  symlinkSync(join(dir, "secret.txt"), join(dir, "root/link-out"));
  symlinkSync(join(dir, "root/inner/file.txt"), join(dir, "root/link-in"));
  symlinkSync(dir, join(dir, "root/dir-out"));
});
afterAll(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("directory handles keep paths beneath their root", () => {
  it("refuses absolute paths and paths that climb out", async () => {
    const root = await rt.fs.openDir(join(dir, "root"));
    await expect(root.open("../secret.txt")).rejects.toThrow(/escapes its directory/);
    await expect(root.open("inner/../../secret.txt")).rejects.toThrow(/escapes its directory/);
    await expect(root.open(join(dir, "secret.txt"))).rejects.toThrow(/is absolute/);
    expect(() => root.statSync("..")).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
    expect(() => root.openSync("a\0b")).toThrow(/NUL byte/);
  });

  it("refuses symlinks that lead outside, and follows those that stay inside", async () => {
    const root = await rt.fs.openDir(join(dir, "root"));
    await expect(root.open("link-out")).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    await expect(root.open("dir-out/secret.txt")).rejects.toThrow(/outside its directory through a symlink/);
    expect(() => root.openSync("dir-out/secret.txt")).toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    const inside = await root.open("link-in");
    expect(new TextDecoder().decode(await inside.readToEnd())).toBe("inside");
    await inside.close();
    await expect(root.open("inner/../inner/file.txt")).resolves.toBeDefined();
  });

  it("a closed directory handle refuses further calls", async () => {
    const root = await rt.fs.openDir(join(dir, "root"));
    await root.close();
    await expect(root.stat("inner")).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
  });

  it("openDir on a file is NotADirectory; removeDir on a file too", async () => {
    await expect(rt.fs.openDir(join(dir, "secret.txt"))).rejects.toThrow(expect.objectContaining({ kind: "NotADirectory" }));
    await expect(rt.fs.removeDir(join(dir, "secret.txt"), { recursive: true })).rejects.toThrow(expect.objectContaining({ kind: "NotADirectory" }));
  });
});

describe("libuv files", () => {
  it("sync helpers run as blocking calls, alongside async ones", async () => {
    const file = await rt.fs.open(join(dir, "sync.bin"), { write: true, create: true, truncate: true });
    const pending = file.writeAllAt(0, new Uint8Array(1000).fill(1));
    file.writeAllAtSync(1000, new Uint8Array(24).fill(2));
    await pending;
    expect(file.statSync().size).toBe(1024);
    const back = file.readToEndSync();
    expect(back[999]).toBe(1);
    expect(back[1023]).toBe(2);
    file.truncateSync(10);
    expect((await file.stat()).size).toBe(10);
    file.closeSync();
    expect(() => file.readAtSync(0, new Uint8Array(1))).toThrow(expect.objectContaining({ kind: "Closed" }));
  });

  it("closeSync with reads in flight keeps the fd until they complete, then releases it", async () => {
    const before = readdirSync("/proc/self/fd").length;
    const file = await rt.fs.open(join(dir, "root/inner/file.txt"));
    const reads = Array.from({ length: 64 }, () => file.readAt(0, new Uint8Array(6)));
    file.closeSync();
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 64 }, () => 6));
    // The last read's callback starts the close; give it up to 2 s to land.
    for (let i = 0; i < 200 && readdirSync("/proc/self/fd").length !== before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(readdirSync("/proc/self/fd").length).toBe(before);
  });

  it("the in-flight cap queues operations in order", async () => {
    const backend = new LibuvBackend({ maxInFlight: 2 });
    const started: number[] = [];
    const finishers: (() => void)[] = [];
    for (let i = 0; i < 5; i++) {
      backend.schedule((done) => {
        started.push(i);
        finishers.push(done);
      });
    }
    expect(started).toEqual([0, 1]);
    expect(backend.inFlight).toBe(2);
    finishers[0]!();
    expect(started).toEqual([0, 1, 2]);
    finishers[2]!();
    finishers[1]!();
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it("bad options are named", () => {
    expect(() => openLibuv({ maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => openLibuv({ maxinflight: 4 } as never)).toThrow(/unknown option "maxinflight"/);
  });
});
