/**
 * Lifecycle and error kinds on real runtimes: an idle runtime lets the process exit; closing
 * with 256 reads in flight settles every one and leaves no fd open; errors have the same kinds
 * on every backend.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, opendirSync, openSync, readdirSync, readSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { IoError, type Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededBytes } from "./rng.js";

/** How a child process opens a runtime of this backend: `(await import(module))[exportName]()`. */
export interface ChildRuntime {
  readonly module: string;
  readonly exportName: string;
}

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

export function describeLifecycle(openRuntime: () => Promise<Runtime>, getRuntime: () => Runtime, child: ChildRuntime | undefined): void {
  describe("lifecycle and error kinds", () => {
    let dir: string;
    let data: Uint8Array;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pktio-lifecycle-"));
      data = seededBytes(4 * 1024 * 1024, 0x11fe);
      writeFileSync(join(dir, "data.bin"), data);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("open of a missing file is NotFound; createNew on an existing one is AlreadyExists", async () => {
      const fs = getRuntime().fs;
      await expect(fs.open(join(dir, "missing.bin"))).rejects.toThrow(expect.objectContaining({ kind: "NotFound" }));
      expect(() => fs.openSync(join(dir, "missing.bin"))).toThrow(expect.objectContaining({ kind: "NotFound" }));
      await expect(fs.open(join(dir, "data.bin"), { write: true, createNew: true })).rejects.toThrow(expect.objectContaining({ kind: "AlreadyExists" }));
      await expect(fs.open(join(dir, "x"), { createNew: true })).rejects.toThrow(/createNew needs write/);
      await expect(fs.open(join(dir, "x"), { read: true, bogus: true } as never)).rejects.toThrow(/unknown option "bogus"/);
    });

    it("OS errors read as Node's own, word for word, on every backend (design.md §7)", async () => {
      const fs = getRuntime().fs;
      const base = join(dir, "texts");
      mkdirSync(join(base, "dir"), { recursive: true });
      writeFileSync(join(base, "dir", "x"), "x");
      writeFileSync(join(base, "file"), "x");
      // Node's message for the same call; where Node names no path (calls on an fd, and
      // opendirSync), pktio adds it as Node's async calls do: `, opendir '/x'`.
      const nodeText = (path: string, call: () => unknown): string => {
        try {
          call();
        } catch (error) {
          const text = (error as Error).message;
          return text.includes(`'${path}'`) ? text : `${text} '${path}'`;
        }
        throw new Error("Node's call did not fail");
      };
      const pktioText = async (call: () => Promise<unknown>): Promise<string> => {
        try {
          await call();
        } catch (error) {
          return (error as Error).message;
        }
        return "no error";
      };
      const missing = join(base, "missing");
      const sub = join(base, "dir");
      const file = join(base, "file");
      expect(await pktioText(() => fs.open(missing))).toBe(nodeText(missing, () => openSync(missing, "r")));
      expect(await pktioText(() => fs.stat(missing))).toBe(nodeText(missing, () => statSync(missing)));
      expect(await pktioText(() => fs.mkdir(sub))).toBe(nodeText(sub, () => mkdirSync(sub)));
      expect(await pktioText(() => fs.removeDir(sub))).toBe(nodeText(sub, () => rmdirSync(sub)));
      expect(await pktioText(() => fs.removeFile(sub))).toBe(nodeText(sub, () => unlinkSync(sub)));
      expect(await pktioText(async () => {
        for await (const entry of fs.readDir(file)) void entry;
      })).toBe(nodeText(file, () => opendirSync(file)));
      expect(await pktioText(async () => fs.readDirSync(file))).toBe(nodeText(file, () => readdirSync(file)));
      const fd = openSync(sub, "r");
      const readText = nodeText(sub, () => readSync(fd, new Uint8Array(4)));
      closeSync(fd);
      const handle = await fs.open(sub);
      expect(await pktioText(() => handle.readAt(0, new Uint8Array(4)))).toBe(readText);
      await handle.close();
      // truncate of a handle opened only for reading: EINVAL from ftruncate (uring named no path).
      const readOnly = openSync(file, "r");
      const truncateText = nodeText(file, () => ftruncateSync(readOnly, 0));
      closeSync(readOnly);
      const reader = await fs.open(file);
      expect(await pktioText(() => reader.truncate(0))).toBe(truncateText);
      expect(await pktioText(async () => reader.truncateSync(0))).toBe(truncateText);
      await reader.close();
    });

    it("a write on a read-only handle fails, never silently", async () => {
      const file = await getRuntime().fs.open(join(dir, "data.bin"));
      try {
        await expect(file.writeAt(0, new Uint8Array([1]))).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
        const check = new Uint8Array(1);
        await file.readExactAt(0, check);
        expect(check[0]).toBe(data[0]);
      } finally {
        await file.close();
      }
    });

    it("reads past the end are short; readExactAt there is UnexpectedEof; use after close is Closed", async () => {
      const file = await getRuntime().fs.open(join(dir, "data.bin"));
      expect(await file.readAt(data.length - 10, new Uint8Array(100))).toBe(10);
      expect(await file.readAt(data.length + 10, new Uint8Array(100))).toBe(0);
      await expect(file.readExactAt(data.length - 10, new Uint8Array(100))).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
      await file.close();
      await file.close(); // idempotent
      await expect(file.readAt(0, new Uint8Array(1))).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
      await expect(file.stat()).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
      expect(() => file.statSync()).toThrow(IoError);
    });

    it("closing the runtime with 256 reads in flight settles every one and leaves no fd open", async () => {
      const before = openFds();
      const runtime = await openRuntime();
      const file = await runtime.fs.open(join(dir, "data.bin"));
      const reads = Array.from({ length: 256 }, (_, i) => {
        const dst = new Uint8Array(4096);
        return file.readAt(i * 4096, dst).then(
          (count) => ({ ok: count === 4096 && dst[0] === data[i * 4096], kind: undefined }),
          (error: unknown) => ({ ok: false, kind: (error as IoError).kind }),
        );
      });
      await runtime.close();
      const outcomes = await Promise.all(reads);
      // Each read either completed with the right bytes or failed as Closed; none is lost.
      for (const outcome of outcomes) expect(outcome.ok || outcome.kind === "Closed", JSON.stringify(outcome)).toBe(true);
      expect(openFds()).toBe(before);
      await expect(runtime.fs.open(join(dir, "data.bin"))).rejects.toThrow(expect.objectContaining({ kind: "Closed" }));
    });

    it("close() right after truncate, sync, datasync and stat waits for them: none lands on the file that reuses the fd", async () => {
      const fs = getRuntime().fs;
      const victim = join(dir, "victim.bin");
      writeFileSync(victim, new Uint8Array(5000).fill(9));
      for (let round = 0; round < 40; round++) {
        const file = await fs.open(join(dir, `scratch-${round % 4}.bin`), { read: true, write: true, create: true });
        const calls = [file.truncate(0), file.sync(), file.datasync(), file.stat()].map((call) => call.then(() => "ok", (error: unknown) => (error as IoError).kind));
        const closing = file.close();
        // Opened while the close is under way: it may get the number the closing file had.
        const other = await fs.open(victim, { read: true, write: true });
        await closing;
        const outcomes = await Promise.all(calls);
        for (const outcome of outcomes) expect(["ok", "Closed"], outcomes.join(",")).toContain(outcome);
        expect((await other.stat()).size, `round ${round}: a call of the closed file reached the file that reused its fd`).toBe(5000);
        await other.close();
      }
    });

    it("connect, listen and bind still looking up their host when the runtime closes fail Closed", async () => {
      const runtime = await openRuntime();
      const listener = await runtime.net.listen({ host: "127.0.0.1", port: 0 });
      const kindOf = (made: Promise<{ close(): Promise<unknown> }>): Promise<string | undefined> =>
        made.then(
          async (handle) => {
            await handle.close();
            return "resolved";
          },
          (error: unknown) => (error as IoError).kind,
        );
      // "localhost" is looked up asynchronously on every backend: the close comes first.
      const outcomes = [
        kindOf(runtime.net.connect({ host: "localhost", port: listener.address.port })),
        kindOf(runtime.net.listen({ host: "localhost", port: 0 })),
        kindOf(runtime.udp.bind({ host: "localhost", port: 0 })),
      ];
      await runtime.close();
      expect(await Promise.all(outcomes)).toEqual(["Closed", "Closed", "Closed"]);
    });

    it("close() right after 640 writes and 640 reads of 64 KiB from plain memory: every one lands before the fd closes", async () => {
      // 40 MiB each way: more than a backend's private memory for plain buffers holds at once
      // (uring's bounce limit, 32 MiB), so some of them still wait for memory when close() starts.
      // A write sent before close() lands (design.md §4); so does a read.
      const runtime = getRuntime();
      const path = join(dir, "close-burst.bin");
      const piece = 64 * 1024;
      const count = 640;
      const source = seededBytes(count * piece, 0xc105e);
      const writer = await runtime.fs.open(path, { write: true, create: true, truncate: true });
      const writes = Array.from({ length: count }, (_, i) => writer.writeAllAt(i * piece, source.slice(i * piece, (i + 1) * piece)));
      await writer.close();
      await Promise.all(writes);
      const reader = await runtime.fs.open(path);
      const targets = Array.from({ length: count }, () => new Uint8Array(piece));
      const reads = targets.map((target, i) => reader.readExactAt(i * piece, target));
      await reader.close();
      await Promise.all(reads);
      const back = new Uint8Array(count * piece);
      targets.forEach((target, i) => back.set(target, i * piece));
      expect(Buffer.compare(back, source)).toBe(0);
    });

    it("closeSync() with 96 writes in flight, then closing the runtime: every write settles first, no fd is left", async () => {
      // Found by the property test: a file closed synchronously left the runtime's registry, so
      // rt.close() resolved with its writes unsettled and its fd open.
      const before = openFds();
      const runtime = await openRuntime();
      const file = await runtime.fs.open(join(dir, "sync-closed.bin"), { write: true, create: true });
      let settled = 0;
      const writes = Array.from({ length: 96 }, (_, i) =>
        file.writeAllAt(i * 512, data.subarray(i * 512, (i + 1) * 512)).then(
          () => void settled++,
          (error: unknown) => {
            settled++;
            expect((error as IoError).kind).toBe("Closed");
          },
        ),
      );
      file.closeSync();
      await runtime.close();
      expect(settled).toBe(96);
      await Promise.all(writes);
      expect(openFds()).toBe(before);
    });

    it.skipIf(child === undefined)(`a process with an idle runtime, an idle listener and an idle connection exits by itself${child === undefined ? " (skipped: no child module given)" : ""}`, () => {
      const require = createRequire(import.meta.url);
      const script = fileURLToPath(new URL("./internal/idleChild.ts", import.meta.url));
      const run = spawnSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, "--conditions=pktio-source", script, child!.module, child!.exportName, join(dir, "data.bin")], {
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.error, "the child did not exit within 20 s (an idle listener or stream kept it alive?)").toBeUndefined();
      expect(run.stderr).toBe("");
      expect(run.stdout.trim()).toMatch(/^ready 4096\nsockets (idle 7|unsupported)$/);
      expect(run.status).toBe(0);
    });

    it("a FIFO end to end with other processes: a writer's bytes then 0 at its end; a write-only open waits for its reader, a write arrives whole, and one to a reader that left fails BrokenPipe", async () => {
      const fs = getRuntime().fs;
      const fifo = (name: string): string => {
        const path = join(dir, `${name}-${process.pid}.fifo`);
        rmSync(path, { force: true });
        execFileSync("mkfifo", [path]);
        return path;
      };
      const exited = (process: ReturnType<typeof spawn>): Promise<number | null> => new Promise((resolve) => process.once("exit", resolve));
      // A writer that writes and leaves: the read-only open waits for it, then the bytes, then the end.
      const ended = fifo("ended");
      // Each exit is listened for at the spawn: a process may be gone before the test awaits it.
      const writer = exited(spawn("sh", ["-c", `printf hello > '${ended}'`]));
      const reader = await fs.open(ended);
      await writer;
      const got = new Uint8Array(16);
      expect(await reader.readAt(0, got)).toBe(5);
      expect(new TextDecoder().decode(got.subarray(0, 5))).toBe("hello");
      expect(await reader.readAt(0, got)).toBe(0);
      // And again: the end stays the end (libuv's and threaded's pipe had gone: Closed).
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(await reader.readAt(0, got)).toBe(0);
      await reader.close();
      // A write-only open made before its reader exists waits for it (open(2) blocks).
      const piped = fifo("piped");
      const opening = fs.open(piped, { read: false, write: true });
      // Some turns first, so the open has reached the OS before the reader exists (it must wait).
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      const hashing = spawn("sh", ["-c", `sha256sum < '${piped}'`], { stdio: ["ignore", "pipe", "inherit"] });
      const hasher = exited(hashing);
      let digest = "";
      hashing.stdout?.on("data", (chunk: Buffer) => (digest += chunk.toString()));
      const out = await opening;
      const payload = seededBytes(8 * 1024 * 1024, 0xf1f0);
      await out.writeAllAt(0, payload);
      await out.close();
      expect(await hasher).toBe(0);
      expect(digest.split(" ")[0]).toBe(createHash("sha256").update(payload).digest("hex"));
      // A reader that leaves after 10 bytes: the writes fail BrokenPipe, nothing is thrown elsewhere.
      const left = fifo("left");
      const head = exited(spawn("sh", ["-c", `head -c 10 < '${left}' > /dev/null`]));
      const early = await fs.open(left, { read: false, write: true });
      const kinds = await Promise.all(Array.from({ length: 4 }, () => early.writeAllAt(0, new Uint8Array(1024 * 1024)).then(() => "done", (error: IoError) => error.kind)));
      await head;
      expect(kinds.every((kind) => kind === "BrokenPipe"), kinds.join(",")).toBe(true);
      await early.close();
    });

    it("copyFile of a FIFO is Unsupported at once (copying it would hold a thread until its writer's end)", async () => {
      const path = join(dir, `copied-${process.pid}.fifo`);
      rmSync(path, { force: true });
      execFileSync("mkfifo", [path]);
      await expect(getRuntime().fs.copyFile(path, join(dir, "copy-of-fifo"))).rejects.toThrow(expect.objectContaining({ kind: "Unsupported", message: expect.stringMatching(/is a FIFO/) }));
      rmSync(path, { force: true });
    });

    it("copyFile onto a device or a FIFO is Unsupported and removes nothing, async and sync (node's copyfile deleted /dev/null)", async (context) => {
      const fs = getRuntime().fs;
      const source = join(dir, `copy-source-${process.pid}.txt`);
      writeFileSync(source, "bytes");
      const fifoPath = join(dir, `copy-onto-${process.pid}.fifo`);
      rmSync(fifoPath, { force: true });
      execFileSync("mkfifo", [fifoPath]);
      const targets = [fifoPath];
      // A character device of its own (/dev/null's numbers, 1:3), where mknod is allowed (root).
      const device = join(dir, `copy-onto-${process.pid}.null`);
      rmSync(device, { force: true });
      let deviceMissing: string | undefined;
      try {
        execFileSync("mknod", ["-m", "666", device, "c", "1", "3"], { stdio: "pipe" });
        targets.push(device);
      } catch (error) {
        deviceMissing = `mknod is not allowed here (needs root): ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
      }
      for (const target of targets) {
        const refused = expect.objectContaining({ kind: "Unsupported", message: expect.stringMatching(/device, FIFO or socket/) });
        await expect(fs.copyFile(source, target)).rejects.toThrow(refused);
        expect(() => fs.copyFileSync(source, target)).toThrow(refused);
        const stats = statSync(target);
        expect(stats.isFIFO() || stats.isCharacterDevice(), target).toBe(true);
        rmSync(target, { force: true });
      }
      rmSync(source, { force: true });
      if (deviceMissing !== undefined) context.skip(deviceMissing);
    });

    it("writes in flight at once on one FIFO arrive whole and in the order they were made", async () => {
      const fs = getRuntime().fs;
      const path = join(dir, `ordered-${process.pid}.fifo`);
      rmSync(path, { force: true });
      execFileSync("mkfifo", [path]);
      // The reader hashes everything until the writer's end; pieces far above PIPE_BUF (4 KiB),
      // which a pipe does not keep whole when two writers race.
      const hashing = spawn("sh", ["-c", `sha256sum < '${path}'`], { stdio: ["ignore", "pipe", "inherit"] });
      const hasher = new Promise<number | null>((resolve) => hashing.once("exit", resolve));
      let digest = "";
      hashing.stdout?.on("data", (chunk: Buffer) => (digest += chunk.toString()));
      const out = await fs.open(path, { read: false, write: true });
      const pieces = Array.from({ length: 24 }, (_, i) => seededBytes(128 * 1024 + i * 4099, 0x0d00 + i));
      // Plain memory and shared memory both: uring bounces the one and not the other.
      const shared = pieces.map((piece, i) => {
        if (i % 2 === 0) return piece;
        const copy = new Uint8Array(new SharedArrayBuffer(piece.byteLength));
        copy.set(piece);
        return copy;
      });
      await Promise.all(shared.map((piece) => out.writeAllAt(0, piece)));
      await out.close();
      expect(await hasher).toBe(0);
      const expected = createHash("sha256");
      for (const piece of pieces) expected.update(piece);
      expect(digest.split(" ")[0], "the reader got the writes' bytes interleaved or out of order").toBe(expected.digest("hex"));
      rmSync(path, { force: true });
    });

    it.skipIf(child === undefined)(`closing a runtime with reads waiting on a FIFO nobody writes, and opens of a FIFO nobody else opens, settles them Closed, and the process exits by itself${child === undefined ? " (skipped: no child module given)" : ""}`, () => {
      const require = createRequire(import.meta.url);
      const script = fileURLToPath(new URL("./internal/fifoChild.ts", import.meta.url));
      const path = join(dir, `silent-${Date.now()}.fifo`);
      const lonely = join(dir, `lonely-${Date.now()}.fifo`);
      try {
        spawnSync("mkfifo", [path]);
        spawnSync("mkfifo", [lonely]);
        spawnSync("mkfifo", [`${lonely}.w`]);
      } catch {
        // reported below: the child cannot open it
      }
      const run = spawnSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, "--conditions=pktio-source", script, child!.module, child!.exportName, path, lonely], {
        encoding: "utf8",
        timeout: 20_000,
      });
      rmSync(path, { force: true });
      rmSync(lonely, { force: true });
      rmSync(`${lonely}.w`, { force: true });
      expect(run.error, "the child did not exit within 20 s (a read or an open kept a thread, a pool request or a worker)").toBeUndefined();
      expect(run.stderr).toBe("");
      // The read-only open of a FIFO without a writer may complete (it need not wait: its reads do),
      // the write-only one waits for a reader that never comes: the close answers it Closed.
      expect(run.stdout.trim()).toMatch(/^closed 3 3 123 Closed,Closed,Closed,Closed,Closed,Closed opens (opened|Closed),Closed$/);
      expect(run.status).toBe(0);
    });

    it.skipIf(child === undefined)(`closing a runtime settles its pending accept, read and UDP receive with kind Closed, and the process exits by itself${child === undefined ? " (skipped: no child module given)" : ""}`, () => {
      const require = createRequire(import.meta.url);
      const script = fileURLToPath(new URL("./internal/socketChild.ts", import.meta.url));
      const run = spawnSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, "--conditions=pktio-source", script, child!.module, child!.exportName], {
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.error, "the child did not exit within 20 s").toBeUndefined();
      expect(run.stderr).toBe("");
      // A runtime opened without sockets of its own (threaded alone) says so; every other has them.
      expect(run.stdout.trim()).toMatch(/^(closed Closed,Closed,Closed|no sockets: Unsupported)$/);
      expect(run.status).toBe(0);
    });
  });
}
