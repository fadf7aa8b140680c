/**
 * Errors say the same thing on every backend (issue 11, item 11): the same kind, code and errno
 * description for the same OS error, the right backend's name when the runtime is closed, and an
 * `IoError` that is called IoError.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IoError, writeAt, type Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** What `attempt` threw or rejected with, which must be an IoError (a sync throw counts too). */
async function rejection(attempt: () => Promise<unknown>): Promise<IoError> {
  const thrown = await Promise.resolve().then(attempt).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown, "the operation should have failed").toBeInstanceOf(IoError);
  return thrown as IoError;
}

/** Registers the error scenarios; `getRuntime` is the suite's runtime, `openRuntime` makes a fresh one. */
export function describeErrors(openRuntime: () => Promise<Runtime>, getRuntime: () => Runtime): void {
  describe("errors say the same thing on every backend", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pktio-errors-"));
      symlinkSync("loop-b", join(dir, "loop-a"));
      symlinkSync("loop-a", join(dir, "loop-b"));
      writeFileSync(join(dir, "file"), "x");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("ELOOP is kind FilesystemLoop and carries libuv's description", async () => {
      const error = await rejection(() => getRuntime().fs.open(join(dir, "loop-a")));
      expect(error.kind).toBe("FilesystemLoop");
      expect(error.code).toBe("ELOOP");
      expect(error.errno).toBe(40);
      expect(error.message).toContain("ELOOP: too many symbolic links encountered");
    });

    it("a misaligned transfer on a file opened with direct explains the alignment rule", async (context) => {
      const path = join(dir, "direct.bin");
      writeFileSync(path, new Uint8Array(8192));
      let file: Awaited<ReturnType<Runtime["fs"]["open"]>>;
      try {
        file = await getRuntime().fs.open(path, { direct: true });
      } catch (error) {
        // tmpfs and some overlay file systems refuse O_DIRECT at open: nothing to misalign there.
        if (IoError.is(error, "InvalidInput") || IoError.is(error, "Unsupported")) return context.skip(`O_DIRECT is refused at open in ${dir}`);
        throw error;
      }
      try {
        const error = await rejection(() => file.readAt(1, new Uint8Array(100)));
        expect(error.kind).toBe("InvalidInput");
        expect(error.message).toMatch(/is open with direct: the buffer's address, the position \(1\) and the length \(100\) must be multiples of/);
      } finally {
        await file.close();
      }
    });

    it("mkdir's and removeDir's options are checked: unknown keys and a recursive that is no boolean are InvalidInput naming them, and nothing happens", async () => {
      const fs = getRuntime().fs;
      const path = join(dir, "made");
      await expect(fs.mkdir(path, { bogus: 1 } as never)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/bogus/) }));
      await expect(fs.mkdir(path, { recursive: 1 } as never)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/recursive/) }));
      expect(() => fs.mkdirSync(path, "x" as never)).toThrow(expect.objectContaining({ kind: "InvalidInput" }));
      expect(existsSync(path)).toBe(false);
      await fs.mkdir(join(path, "inner"), { recursive: true });
      await expect(fs.removeDir(path, { recursive: "yes" } as never)).rejects.toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/recursive/) }));
      expect(() => fs.removeDirSync(path, { force: true } as never)).toThrow(expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(/force/) }));
      expect(existsSync(join(path, "inner"))).toBe(true);
      await fs.removeDir(path, { recursive: true });
      expect(existsSync(path)).toBe(false);
    });

    it("ENOENT carries its description and the path", async () => {
      const path = join(dir, "missing");
      const error = await rejection(() => getRuntime().fs.open(path));
      expect(error.kind).toBe("NotFound");
      expect(error.message).toContain("ENOENT: no such file or directory");
      expect(error.message).toContain(path);
    });

    it("an IoError's constructor is called IoError", async () => {
      const error = await rejection(() => getRuntime().fs.open(join(dir, "missing")));
      expect(error.constructor.name).toBe("IoError");
      expect(error.name).toBe("IoError");
    });

    it("a write to a file opened only for reading says so in English", async () => {
      const file = await getRuntime().fs.open(join(dir, "file"));
      try {
        const error = await rejection(() => writeAt(file, 0, new Uint8Array([1])));
        expect(error.kind).toBe("PermissionDenied");
        expect(error.message).toContain("was not opened for writing");
      } finally {
        await file.close();
      }
    });

    it("a closed runtime's error names that runtime's backend", async () => {
      const runtime = await openRuntime();
      await runtime.close();
      const sockets = [() => runtime.net.connect({ host: "127.0.0.1", port: 9 }), () => runtime.net.listen({ host: "127.0.0.1", port: 0 }), () => runtime.udp.bind({ host: "127.0.0.1", port: 0 })];
      // Sockets too: threaded's are lent by libuv, and once named "the libuv runtime".
      for (const attempt of [() => runtime.fs.open(join(dir, "file")), () => runtime.fs.stat(join(dir, "file")), () => runtime.fs.openDir(dir), ...sockets]) {
        const error = await rejection(attempt);
        expect(error.kind).toBe("Closed");
        expect(error.message).toContain(`the ${runtime.backend} runtime is closed`);
        expect(error.backend).toBe(runtime.backend);
      }
    });
  });
}

/** Registers the network error scenarios on the suite's runtime. */
export function describeNetErrors(getRuntime: () => Runtime): void {
  describe("network errors say which operation met them", () => {
    it("a write after the peer reset the connection says write, not read", async () => {
      // The server resets once the client's first byte arrives, so the connect has completed.
      const server = createServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const stream = await getRuntime().net.connect({ host: "127.0.0.1", port });
        try {
          await stream.writeAll(new Uint8Array([0]));
          // The read waits for the reset to arrive; only then is the write's answer determined.
          const readError = await rejection(() => stream.read(new Uint8Array(1)));
          expect(readError.kind).toBe("ConnectionReset");
          const writeError = await rejection(() => stream.write(new Uint8Array([1])));
          expect(writeError.kind).toBe("ConnectionReset");
          expect(writeError.op).toBe("write");
          // node:net's form on every backend: the system call and the errno name.
          expect(writeError.message).toBe("write ECONNRESET");
        } finally {
          await stream.close();
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
}
