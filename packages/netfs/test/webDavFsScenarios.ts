/**
 * The scenarios `openWebDavFs` runs against every WebDAV server (ours and webdav-server): the
 * conformance suite's fixture-tree scenarios (through a wrapper that maps the fixture's local
 * paths onto the server's root), and the Fs contract's error kinds and WebDAV's limits.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { IoError, toNodeFileHandle, type Fs, type FsOps } from "@pktio/core";
import { describeFs } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWebDavFs } from "../src/webdav/openWebDavFs.js";
import type { WebDavFs } from "../src/webdav/WebDavFs.js";

/** A WebDAV server serving `root`: its base URL and the headers a client must send. */
export interface DavServer {
  readonly url: string;
  readonly token?: string;
  close(): Promise<void>;
}

export type StartDavServer = (root: string) => Promise<DavServer>;

/** What a server offers beyond RFC 4918. */
export interface DavServerTraits {
  /** sabre/dav partial updates (PATCH, advertised by OPTIONS' Accept-Patch). */
  readonly partialUpdates?: boolean;
}

/** The fixture scenarios' big-file size: several 1 MiB chunks and a ragged end. */
const BIG_FILE = 3 * 1024 * 1024 + 123;

/** An Fs that takes absolute paths beneath `local` and hands `fs` the same paths beneath its root. */
function mapLocalPaths(fs: FsOps, local: string): Fs {
  const map = (arg: unknown): unknown => (typeof arg === "string" && (arg === local || arg.startsWith(local + "/")) ? "/" + arg.slice(local.length + 1) : arg);
  return new Proxy(fs, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map(map)) : value;
    },
  });
}

export function describeWebDavFs(name: string, start: StartDavServer, traits: DavServerTraits = {}): void {
  describe(`openWebDavFs against ${name}`, () => {
    // The conformance fixture and write targets go to tmpdir(): make that the served directory.
    const scratch = mkdtempSync(join(tmpdir(), "pktio-davfs-"));
    const savedTmp = process.env["TMPDIR"];
    process.env["TMPDIR"] = scratch;
    let server: DavServer;
    let fs: WebDavFs;
    beforeAll(async () => {
      server = await start(scratch);
      fs = await openWebDavFs(server.url, server.token === undefined ? {} : { token: server.token });
    });
    afterAll(async () => {
      await fs?.close();
      await server?.close();
      if (savedTmp === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = savedTmp;
      rmSync(scratch, { recursive: true, force: true });
    });

    // Every capability is there: the blocking twins go through a worker (SyncRequester).
    describeFs(() => ({ fs: mapLocalPaths(fs, scratch) }), BIG_FILE);

    describe("the Fs contract over WebDAV", () => {
      let base: string;
      let local: string;
      let next = 0;
      beforeAll(() => {
        base = `contract-${process.pid}`;
        local = join(scratch, base);
        mkdirSync(join(local, "dir/sub"), { recursive: true });
        writeFileSync(join(local, "dir/a b&c.txt"), "spaces\n");
        writeFileSync(join(local, "data.bin"), Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
      });
      const fresh = (): string => `${base}/t${next++}`;
      const kind = async (promise: Promise<unknown>): Promise<string> => {
        try {
          await promise;
          return "ok";
        } catch (error) {
          if (!IoError.is(error)) throw error;
          return error.kind;
        }
      };

      it("stats files and directories, and reports what is missing as NotFound", async () => {
        expect(await fs.stat(`${base}/data.bin`)).toMatchObject({ type: "file", size: 70_000 });
        expect((await fs.stat(`${base}/dir`)).type).toBe("directory");
        expect((await fs.stat(`/${base}/dir/a b&c.txt`)).size).toBe(7);
        expect(await kind(fs.stat(`${base}/nope`))).toBe("NotFound");
        expect((await fs.stat(`${base}/data.bin`)).modifiedMs).toBeGreaterThan(Date.UTC(2020, 0));
        // A trailing slash names a directory, as for stat(2) of `a.txt/`.
        expect(await kind(fs.stat(`${base}/data.bin/`))).toBe("NotADirectory");
        expect(await kind(fs.open(`${base}/data.bin/`))).toBe("NotADirectory");
        expect((await fs.stat(`${base}/dir/`)).type).toBe("directory");
      });

      it("lists a directory; a file is NotADirectory", async () => {
        const entries = [];
        for await (const entry of fs.readDir(`${base}/dir`)) entries.push(entry);
        expect(entries.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
          { name: "a b&c.txt", type: "file" },
          { name: "sub", type: "directory" },
        ]);
        expect(await kind((async () => { for await (const _ of fs.readDir(`${base}/data.bin`)) void _; })())).toBe("NotADirectory");
      });

      it("reads ranges of a file through Range requests", async () => {
        const file = await fs.open(`${base}/data.bin`);
        try {
          const expected = readFileSync(join(local, "data.bin"));
          const chunk = new Uint8Array(10_000);
          await file.readExactAt(55_555, chunk);
          expect(Buffer.compare(Buffer.from(chunk), expected.subarray(55_555, 65_555))).toBe(0);
          expect(await file.readAt(69_990, new Uint8Array(100))).toBe(10);
          expect((await file.stat()).size).toBe(70_000);
          expect(await kind(file.writeAt(0, new Uint8Array(1)))).toBe("PermissionDenied");
        } finally {
          await file.close();
        }
        expect(await kind(fs.open(`${base}/dir`))).toBe("IsADirectory");
      });

      it("writes whole files: createNew, truncate, read back through the handle, FileTooLarge past the limit", async () => {
        const path = fresh();
        const file = await fs.open(path, { write: true, createNew: true });
        await Promise.all([file.writeAllAt(5, new TextEncoder().encode("world")), file.writeAllAt(0, new TextEncoder().encode("hello"))]);
        expect(new TextDecoder().decode(await file.readToEnd())).toBe("helloworld");
        await file.sync();
        expect(readFileSync(join(scratch, path), "utf8")).toBe("helloworld");
        await file.truncate(5);
        await file.close();
        expect(readFileSync(join(scratch, path), "utf8")).toBe("hello");
        expect(await kind(fs.open(path, { write: true, createNew: true }))).toBe("AlreadyExists");
        const again = await fs.open(path, { write: true, truncate: true });
        await again.writeAllAt(0, new TextEncoder().encode("rewritten"));
        await again.close();
        expect(readFileSync(join(scratch, path), "utf8")).toBe("rewritten");
        const small = await openWebDavFs(server.url, { ...(server.token === undefined ? {} : { token: server.token }), maxWriteBytes: 16 });
        try {
          const limited = await small.open(fresh(), { write: true, create: true });
          expect(await kind(limited.writeAt(10, new Uint8Array(10)))).toBe("FileTooLarge");
          await limited.close();
        } finally {
          await small.close();
        }
      });

      it("names with #, ?, % and spaces round-trip: readDir lists them whole, stat and open find them", async () => {
        const dir = fresh();
        const names = ["a#b.txt", "what?.txt", "100% sure.txt", "#?%.bin"];
        mkdirSync(join(scratch, dir));
        for (const name of names) writeFileSync(join(scratch, dir, name), name);
        const listed: string[] = [];
        for await (const entry of fs.readDir(dir)) listed.push(entry.name);
        listed.sort();
        expect(listed).toEqual([...names].sort());
        for (const name of names) {
          expect((await fs.stat(`${dir}/${name}`)).size).toBe(Buffer.byteLength(name));
          const file = await fs.open(`${dir}/${name}`);
          expect(new TextDecoder().decode(await file.readToEnd())).toBe(name);
          await file.close();
        }
      });

      it("toNodeFileHandle streams close a file without an OS descriptor: pipeline() into createWriteStream() stores the file, createReadStream() reads it and closes", async () => {
        // Node's streams skip their autoClose when `!stream.fd`: a placeholder 0 left the file open and unstored.
        const path = fresh();
        const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) % 251);
        const writer = await fs.open(path, { write: true, create: true });
        await pipeline(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), toNodeFileHandle(writer).createWriteStream());
        expect(writer.closed).toBe(true);
        expect(Buffer.compare(readFileSync(join(scratch, path)), data)).toBe(0);
        const reader = await fs.open(path);
        const chunks: Buffer[] = [];
        for await (const chunk of toNodeFileHandle(reader).createReadStream({ highWaterMark: 65_536 })) chunks.push(chunk as Buffer);
        expect(Buffer.compare(Buffer.concat(chunks), data)).toBe(0);
        // The stream's close ran (it emits "close" after the handle's close settled).
        expect(reader.closed).toBe(true);
      });

      it("refuses what WebDAV cannot do with Unsupported and a reason: append, a create mode, blocking opens (and partial writes where the server has no partial updates)", async () => {
        writeFileSync(join(local, "untouched.bin"), "0123456789");
        if (traits.partialUpdates !== true) {
          await expect(fs.open(`${base}/untouched.bin`, { write: true })).rejects.toThrow(/partial writes, which WebDAV does not have/);
          expect(await kind(fs.open(`${base}/untouched.bin`, { write: true, create: true }))).toBe("Unsupported");
        }
        expect(await kind(fs.open(fresh(), { append: true, create: true }))).toBe("Unsupported");
        // Permission bits: a PUT cannot set them, and a private file must not be made readable quietly.
        const privateFile = fresh();
        await expect(fs.open(privateFile, { write: true, createNew: true, mode: 0o600 })).rejects.toThrow(expect.objectContaining({ kind: "Unsupported", message: expect.stringMatching(/permission bits/) }));
        expect(existsSync(join(local, privateFile.slice(base.length + 1)))).toBe(false);
        expect(() => fs.openSync(`${base}/data.bin`)).toThrow(/cannot block/);
        expect(await kind(fs.open(`${base}/missing-parent/x.txt`, { write: true, create: true }))).toBe("NotFound");
        expect(readFileSync(join(local, "untouched.bin"), "utf8")).toBe("0123456789");
      });

      it.skipIf(traits.partialUpdates !== true)(`writes in place with partial updates (PATCH)${traits.partialUpdates === true ? "" : " (skipped: the server offers no partial updates)"}`, async () => {
        const original = Uint8Array.from({ length: 50_000 }, (_, i) => i % 199);
        writeFileSync(join(local, "patched.bin"), original);
        const file = await fs.open(`${base}/patched.bin`, { write: true });
        try {
          const patch = new Uint8Array(3000).fill(0xee);
          // Many in flight at once, each its own PATCH; one grows the file.
          await Promise.all([file.writeAllAt(100, patch), file.writeAllAt(20_000, patch), file.writeAllAt(49_000, patch)]);
          const expected = new Uint8Array(52_000);
          expected.set(original);
          for (const at of [100, 20_000, 49_000]) expected.set(patch, at);
          expect(Buffer.compare(readFileSync(join(local, "patched.bin")), Buffer.from(expected))).toBe(0);
          const back = new Uint8Array(5000);
          await file.readExactAt(98, back);
          expect(Buffer.compare(Buffer.from(back), Buffer.from(expected.subarray(98, 5098)))).toBe(0);
          expect(await file.readAt(51_990, new Uint8Array(100))).toBe(10);
          expect((await file.stat()).size).toBe(52_000);
          expect(await kind(file.truncate(10))).toBe("Unsupported");
          // A buffer detached right after the call: the PATCH still carries the bytes it had then.
          const late = new Uint8Array(1000).fill(0xab);
          const writing = file.writeAllAt(200, late);
          structuredClone(late.buffer, { transfer: [late.buffer as ArrayBuffer] });
          await writing;
          expect(readFileSync(join(local, "patched.bin")).subarray(200, 1200).every((byte) => byte === 0xab)).toBe(true);
        } finally {
          await file.close();
        }
      });

      it("the blocking twins give what the async methods give (through the request worker)", async () => {
        expect(fs.statSync(`${base}/data.bin`)).toEqual(await fs.stat(`${base}/data.bin`));
        const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : 1);
        const listed = [];
        for await (const entry of fs.readDir(`${base}/dir`)) listed.push(entry);
        expect(fs.readDirSync(`${base}/dir`).sort(byName)).toEqual(listed.sort(byName));
        const dir = fresh();
        fs.mkdirSync(`${dir}/a/b`, { recursive: true });
        expect(() => fs.mkdirSync(`${dir}/a`)).toThrow(expect.objectContaining({ kind: "AlreadyExists" }));
        writeFileSync(join(scratch, dir, "a/f.txt"), "sync");
        fs.copyFileSync(`${dir}/a/f.txt`, `${dir}/g.txt`);
        fs.renameSync(`${dir}/g.txt`, `${dir}/h.txt`);
        expect(readFileSync(join(scratch, dir, "h.txt"), "utf8")).toBe("sync");
        fs.removeFileSync(`${dir}/h.txt`);
        expect(() => fs.removeDirSync(`${dir}/a`)).toThrow(expect.objectContaining({ kind: "DirectoryNotEmpty" }));
        const handle = fs.openDirSync(`${dir}/a`);
        expect(handle.statSync("f.txt").size).toBe(4);
        expect(() => handle.statSync("../../x")).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
        handle.closeSync();
        fs.removeDirSync(`${dir}/a`, { recursive: true });
        expect(() => fs.statSync(`${dir}/a`)).toThrow(expect.objectContaining({ kind: "NotFound" }));
      });

      it("mkdir (MKCOL): recursive, AlreadyExists, NotFound for a missing parent", async () => {
        const path = fresh();
        await fs.mkdir(path);
        expect((await fs.stat(path)).type).toBe("directory");
        expect(await kind(fs.mkdir(path))).toBe("AlreadyExists");
        await fs.mkdir(path, { recursive: true });
        await fs.mkdir(`${path}/x/y/z`, { recursive: true });
        expect((await fs.stat(`${path}/x/y/z`)).type).toBe("directory");
        expect(await kind(fs.mkdir(`${path}/missing/child`))).toBe("NotFound");
      });

      it("rename (MOVE) files and directories, replacing an existing target", async () => {
        const dir = fresh();
        await fs.mkdir(dir);
        const write = async (path: string, text: string): Promise<void> => {
          const file = await fs.open(path, { write: true, create: true, truncate: true });
          await file.writeAllAt(0, new TextEncoder().encode(text));
          await file.close();
        };
        await write(`${dir}/a.txt`, "A");
        await write(`${dir}/b.txt`, "B");
        await fs.rename(`${dir}/a.txt`, `${dir}/b.txt`);
        expect(readFileSync(join(scratch, dir, "b.txt"), "utf8")).toBe("A");
        expect(await kind(fs.stat(`${dir}/a.txt`))).toBe("NotFound");
        await fs.mkdir(`${dir}/from`);
        await write(`${dir}/from/inner.txt`, "inner");
        await fs.rename(`${dir}/from`, `${dir}/to`);
        expect(readFileSync(join(scratch, dir, "to/inner.txt"), "utf8")).toBe("inner");
        expect(await kind(fs.rename(`${dir}/missing`, `${dir}/x`))).toBe("NotFound");
        await fs.copyFile(`${dir}/b.txt`, `${dir}/copy.txt`);
        expect(readFileSync(join(scratch, dir, "copy.txt"), "utf8")).toBe("A");
      });

      it("rename keeps POSIX rename's rules: a non-empty directory is never replaced, a file never replaces a directory, nor a directory a file; onto itself nothing happens", async () => {
        const dir = fresh();
        await fs.mkdir(`${dir}/full/deep`, { recursive: true });
        const write = async (path: string, text: string): Promise<void> => {
          const file = await fs.open(path, { write: true, create: true, truncate: true });
          await file.writeAllAt(0, new TextEncoder().encode(text));
          await file.close();
        };
        await write(`${dir}/full/keep.txt`, "keep");
        await write(`${dir}/f.txt`, "F");
        await fs.mkdir(`${dir}/d1`);
        await write(`${dir}/d1/in.txt`, "in");
        await fs.mkdir(`${dir}/empty`);
        // The kinds rename(2) gives: EISDIR, ENOTEMPTY, ENOTDIR, EINVAL.
        expect(await kind(fs.rename(`${dir}/f.txt`, `${dir}/full`))).toBe("IsADirectory");
        expect(await kind(fs.rename(`${dir}/d1`, `${dir}/full`))).toBe("DirectoryNotEmpty");
        expect(await kind(fs.rename(`${dir}/d1`, `${dir}/f.txt`))).toBe("NotADirectory");
        expect(await kind(fs.rename(`${dir}/d1`, `${dir}/d1/inner`))).toBe("InvalidInput");
        expect(readFileSync(join(scratch, dir, "full/keep.txt"), "utf8")).toBe("keep");
        expect(readFileSync(join(scratch, dir, "f.txt"), "utf8")).toBe("F");
        expect(readFileSync(join(scratch, dir, "d1/in.txt"), "utf8")).toBe("in");
        await fs.rename(`${dir}/f.txt`, `${dir}/f.txt`);
        expect(readFileSync(join(scratch, dir, "f.txt"), "utf8")).toBe("F");
        // An empty directory is replaced by a directory, as rename(2) does.
        await fs.rename(`${dir}/d1`, `${dir}/empty`);
        expect(readFileSync(join(scratch, dir, "empty/in.txt"), "utf8")).toBe("in");
        expect(() => fs.renameSync(`${dir}/f.txt`, `${dir}/full`)).toThrow(expect.objectContaining({ kind: "IsADirectory" }));
      });

      it("removeFile and removeDir (DELETE) check the kind of resource first", async () => {
        const dir = fresh();
        await fs.mkdir(`${dir}/inner`, { recursive: true });
        writeFileSync(join(scratch, dir, "inner/f.txt"), "f");
        expect(await kind(fs.removeFile(`${dir}/inner`))).toBe("IsADirectory");
        expect(await kind(fs.removeDir(`${dir}/inner`))).toBe("DirectoryNotEmpty");
        expect(await kind(fs.removeDir(`${dir}/inner/f.txt`))).toBe("NotADirectory");
        await fs.removeFile(`${dir}/inner/f.txt`);
        expect(await kind(fs.removeFile(`${dir}/inner/f.txt`))).toBe("NotFound");
        await fs.removeDir(`${dir}/inner`);
        writeFileSync(join(scratch, dir, "g.txt"), "g");
        await fs.removeDir(dir, { recursive: true });
        expect(await kind(fs.stat(dir))).toBe("NotFound");
      });

      it("openDir is confined: relative paths only, '..' never climbs out", async () => {
        const dir = await fs.openDir(`${base}/dir`);
        try {
          expect(dir.path).toBe(`/${base}/dir`);
          expect((await dir.stat("a b&c.txt")).size).toBe(7);
          expect((await dir.stat("sub/../a b&c.txt")).size).toBe(7);
          expect(await kind(dir.stat("../data.bin"))).toBe("InvalidInput");
          expect(await kind(dir.stat("sub/../../data.bin"))).toBe("InvalidInput");
          expect(await kind(dir.stat(`/${base}/data.bin`))).toBe("InvalidInput");
          expect(await kind(dir.stat("nul\0byte"))).toBe("InvalidInput");
          const inner = await dir.openDir("sub");
          expect(await kind(inner.stat(".."))).toBe("InvalidInput");
          await inner.close();
          expect(await kind(inner.stat("."))).toBe("Closed");
        } finally {
          await dir.close();
        }
        expect(await kind(fs.stat("/../etc/passwd"))).toBe("InvalidInput");
        expect(await kind(fs.openDir(`${base}/data.bin`))).toBe("NotADirectory");
      });
    });
  });
}
