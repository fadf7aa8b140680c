/**
 * placeBeneath, mkdirAllBeneath and removeTreeAt, made deterministic: the backend's open and mkdir are
 * functions here, so a test can swap a directory for a symlink out right before the call it
 * chooses (what a local process racing the walk does) and see that nothing outside is touched.
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirAllBeneath, mkdirAllBeneathSync, placeBeneath, placeBeneathSync, removeTreeAt, removeTreeAtSync, type MkdirAllCallsSync, type PlaceCallsSync, type RemoveTreeCallsSync } from "../src/backend.js";

describe("placeBeneath: operations beneath a root act through an fd checked beneath it", () => {
  let base: string;
  let root: string;
  let outside: string;
  let open: number[];
  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), "pktio-place-")));
    root = join(base, "root");
    outside = join(base, "outside");
    mkdirSync(join(root, "d"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, "d", "file"), "inside, longer");
    writeFileSync(join(outside, "file"), "outside");
    open = [];
  });
  afterEach(() => {
    for (const fd of open) closeSync(fd);
    rmSync(base, { recursive: true, force: true });
  });

  /** node:fs opens that record their fds; `before` runs right before each open (the swap). */
  const calls = (before?: () => void): PlaceCallsSync => ({
    open: (path, flags) => {
      before?.();
      const fd = openSync(path, flags);
      open.push(fd);
      return fd;
    },
    close: (fd) => {
      open.splice(open.indexOf(fd), 1);
      closeSync(fd);
    },
  });
  const swapOut = (): void => {
    renameSync(join(root, "d"), join(root, "d.real"));
    symlinkSync(outside, join(root, "d"));
  };
  const request = (target: string, kind: "target" | "entry", op = "stat") => ({ target: join(root, target), kind, root, realRoot: root, op, backend: "test" }) as const;

  it("names what the fd holds through /proc/self/fd, and closes it once", () => {
    const place = placeBeneathSync(request("d/file", "target"), calls());
    expect(place.path).toMatch(/^\/proc\/self\/fd\/\d+$/);
    expect(place.real).toBe(join(root, "d", "file"));
    expect(statSync(place.path).size).toBe("inside, longer".length);
    place.close();
    place.close();
    expect(open).toEqual([]);
    const entry = placeBeneathSync(request("d/file", "entry", "removeFile"), calls());
    expect(entry.path).toMatch(/^\/proc\/self\/fd\/\d+\/file$/);
    expect(entry.real).toBe(join(root, "d"));
    unlinkSync(entry.path);
    entry.close();
    expect(existsSync(join(root, "d", "file"))).toBe(false);
  });

  it("refuses a place a symlink swapped in led outside, and closes its fd", async () => {
    for (const kind of ["target", "entry"] as const) {
      expect(() => placeBeneathSync(request("d/file", kind), calls(swapOut))).toThrow(expect.objectContaining({ kind: "PermissionDenied", path: join(root, "d", "file") }));
      rmSync(join(root, "d"));
      renameSync(join(root, "d.real"), join(root, "d"));
      await expect(placeBeneath(request("d/file", kind), { ...calls(swapOut), open: async (path, flags) => calls(swapOut).open(path, flags) })).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
      rmSync(join(root, "d"));
      renameSync(join(root, "d.real"), join(root, "d"));
    }
    expect(open).toEqual([]);
  });

  it("keeps working on the directory it checked when the path is swapped after the check", () => {
    const place = placeBeneathSync(request("d/victim", "entry", "mkdir"), calls());
    swapOut();
    mkdirSync(place.path);
    place.close();
    expect(readdirSync(outside)).toEqual(["file"]);
    expect(existsSync(join(root, "d.real", "victim"))).toBe(true);
  });

  it("fails a place that cannot be opened as the operation would, naming the caller's path", () => {
    const missing = join(root, "d", "missing");
    expect(() => placeBeneathSync(request("d/missing", "target", "stat"), calls())).toThrow(`ENOENT: no such file or directory, stat '${missing}'`);
    expect(() => placeBeneathSync(request("nope/x", "entry", "removeFile"), calls())).toThrow(expect.objectContaining({ code: "ENOENT", message: expect.stringContaining(`unlink '${join(root, "nope", "x")}'`) }));
    expect(() => placeBeneathSync(request("d/missing", "target", "readDir"), calls())).toThrow(`, scandir '${missing}'`);
    const place = placeBeneathSync(request("d/gone", "entry", "removeFile"), calls());
    let thrown: unknown;
    try {
      unlinkSync(place.path);
    } catch (error) {
      thrown = place.named(error);
    }
    place.close();
    expect((thrown as Error).message).toBe(`ENOENT: no such file or directory, unlink '${join(root, "d", "gone")}'`);
  });

  it("mkdirAllBeneath makes each level in its own checked parent: a symlink swapped in midway is refused, nothing is made outside", async () => {
    const made: string[] = [];
    const sync = (swapAt?: number): MkdirAllCallsSync => ({
      ...calls(),
      mkdir: (path) => {
        made.push(path);
        try {
          mkdirSync(path);
        } finally {
          if (made.length === swapAt) swapOut();
        }
      },
      isDirectory: (path) => statSync(path).isDirectory(),
    });
    mkdirAllBeneathSync({ target: join(root, "d", "a", "b"), root, realRoot: root, op: "mkdir", backend: "test" }, sync());
    expect(statSync(join(root, "d", "a", "b")).isDirectory()).toBe(true);
    // Existing levels are fine; a file in the way is EEXIST.
    mkdirAllBeneathSync({ target: join(root, "d", "a", "b"), root, realRoot: root, op: "mkdir", backend: "test" }, sync());
    expect(() => mkdirAllBeneathSync({ target: join(root, "d", "file", "x"), root, realRoot: root, op: "mkdir", backend: "test" }, sync())).toThrow(`ENOTDIR: not a directory, mkdir '${join(root, "d", "file", "x")}'`);
    expect(() => mkdirAllBeneathSync({ target: join(root, "d", "file"), root, realRoot: root, op: "mkdir", backend: "test" }, sync())).toThrow(expect.objectContaining({ code: "EEXIST" }));
    // root/d swapped for a symlink out right after its level was made (found, here): the next level's parent is outside.
    made.length = 0;
    expect(() => mkdirAllBeneathSync({ target: join(root, "d", "x", "y"), root, realRoot: root, op: "mkdir", backend: "test" }, sync(1))).toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    expect(readdirSync(outside)).toEqual(["file"]);
    rmSync(join(root, "d"));
    renameSync(join(root, "d.real"), join(root, "d"));
    await mkdirAllBeneath(
      { target: join(root, "d", "p", "q") + "/", root, realRoot: root, op: "mkdir", backend: "test" },
      { ...calls(), open: async (path, flags) => calls().open(path, flags), mkdir: async (path) => void mkdirSync(path), isDirectory: async (path) => statSync(path).isDirectory() },
    );
    expect(statSync(join(root, "d", "p", "q")).isDirectory()).toBe(true);
    expect(open).toEqual([]);
  });
});

describe("removeTreeAt: a recursive removal beneath a root never follows a symlink swapped in", () => {
  let base: string;
  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), "pktio-tree-")));
    mkdirSync(join(base, "tree", "a", "deep"), { recursive: true });
    mkdirSync(join(base, "outside"));
    writeFileSync(join(base, "tree", "a", "f"), "x");
    writeFileSync(join(base, "tree", "a", "deep", "g"), "y");
    writeFileSync(join(base, "tree", "top"), "z");
    symlinkSync(join(base, "outside"), join(base, "tree", "link-out"));
    writeFileSync(join(base, "outside", "keep"), "outside");
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const treeCalls = (afterList?: (path: string) => void): RemoveTreeCallsSync => ({
    open: (path, flags) => openSync(path, flags),
    close: (fd) => closeSync(fd),
    readDir: (path) => {
      const entries = readdirSync(path, { withFileTypes: true }).map((entry) => ({ name: entry.name, directory: entry.isDirectory() }));
      afterList?.(path);
      return entries;
    },
    unlink: (path) => unlinkSync(path),
    rmdir: (path) => rmdirSync(path),
  });

  it("removes the tree, a symlink out in it as the link, and a directory swapped for a symlink out after its listing as the link", async () => {
    let swapped = false;
    const swap = (): void => {
      if (swapped) return;
      swapped = true;
      // Listed as a directory; now a symlink to the outside directory.
      renameSync(join(base, "tree", "a"), join(base, "a.moved"));
      symlinkSync(join(base, "outside"), join(base, "tree", "a"));
    };
    removeTreeAtSync(join(base, "tree"), treeCalls(swap));
    expect(existsSync(join(base, "tree"))).toBe(false);
    expect(readdirSync(join(base, "outside"))).toEqual(["keep"]);
    expect(readdirSync(join(base, "a.moved")).sort()).toEqual(["deep", "f"]);
    // A file is not a directory to remove; the async twin removes a whole tree.
    writeFileSync(join(base, "file"), "f");
    expect(() => removeTreeAtSync(join(base, "file"), treeCalls())).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
    const calls = treeCalls();
    await removeTreeAt(join(base, "a.moved"), { open: async (path, flags) => calls.open(path, flags), close: calls.close, readDir: async (path) => calls.readDir(path), unlink: async (path) => calls.unlink(path), rmdir: async (path) => calls.rmdir(path) });
    expect(existsSync(join(base, "a.moved"))).toBe(false);
  });
});
