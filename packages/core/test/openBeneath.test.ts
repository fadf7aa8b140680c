/**
 * openBeneath's order, made deterministic: the backend's open is a function here, so a test can
 * make it land outside the root (what a symlink swapped in between the walk and the open does)
 * on exactly the call it chooses, and see what the effects of that open did outside.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openBeneath, openBeneathSync, type OpenBeneathPlace } from "../src/backend.js";
import { unlinkOpened } from "../src/fs/unlinkOpened.js";
import { toIoError } from "../src/index.js";

const { O_CREAT, O_EXCL, O_RDWR, O_TRUNC, O_WRONLY } = constants;

describe("openBeneath: O_TRUNC and O_CREAT act only on what the fd check found beneath the root", () => {
  let base: string;
  let root: string;
  let outside: string;
  let place: OpenBeneathPlace;
  let closed: number[];
  let calls: number[];
  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), "pktio-open-beneath-")));
    root = join(base, "root");
    outside = join(base, "outside");
    mkdirSync(root);
    mkdirSync(outside);
    place = { realRoot: root, path: join(root, "file"), backend: "test" };
    closed = [];
    calls = [];
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  /** The backend's open, always of `path`: the walk said root/file, the kernel went there. */
  const opening = (path: string, after?: (flags: number) => void) => ({
    open: (flags: number): Promise<number> => Promise.resolve(openingSync(path, after).open(flags)),
    close: (fd: number): void => {
      closed.push(fd);
      closeSync(fd);
    },
  });
  const openingSync = (path: string, after?: (flags: number) => void) => ({
    open: (flags: number): number => {
      calls.push(flags);
      let fd: number;
      try {
        fd = openSync(path, flags, 0o666);
      } catch (error) {
        throw toIoError(error, { op: "open", path });
      }
      after?.(flags);
      return fd;
    },
    close: (fd: number): void => {
      closed.push(fd);
      closeSync(fd);
    },
  });

  it("a truncating open that lands on a file outside leaves its content, and is refused with the fd closed", async () => {
    writeFileSync(join(outside, "file"), "must stay");
    await expect(openBeneath(O_WRONLY | O_TRUNC, place, opening(join(outside, "file")))).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    expect(() => openBeneathSync(O_WRONLY | O_CREAT | O_TRUNC, place, openingSync(join(outside, "file")))).toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    expect(readFileSync(join(outside, "file"), "utf8")).toBe("must stay");
    expect(calls.every((flags) => (flags & O_TRUNC) === 0)).toBe(true);
    expect(closed).toHaveLength(2);
  });

  it("a plain create that lands outside leaves nothing there, and an existing file there stays", async () => {
    await expect(openBeneath(O_WRONLY | O_CREAT, place, opening(join(outside, "new")))).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    // Missing first (no O_CREAT), then made exclusively: so it is known to be ours, and removed.
    expect(calls).toEqual([O_WRONLY, O_WRONLY | O_CREAT | O_EXCL]);
    expect(existsSync(join(outside, "new"))).toBe(false);
    expect(() => openBeneathSync(O_WRONLY | O_CREAT | O_TRUNC, place, openingSync(join(outside, "new-sync")))).toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    expect(existsSync(join(outside, "new-sync"))).toBe(false);
    writeFileSync(join(outside, "theirs"), "theirs");
    await expect(openBeneath(O_WRONLY | O_CREAT, place, opening(join(outside, "theirs")))).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    expect(readFileSync(join(outside, "theirs"), "utf8")).toBe("theirs");
  });

  it("an exclusive create that lands outside is removed", async () => {
    await expect(openBeneath(O_WRONLY | O_CREAT | O_EXCL, place, opening(join(outside, "excl")))).rejects.toThrow(expect.objectContaining({ kind: "PermissionDenied" }));
    expect(existsSync(join(outside, "excl"))).toBe(false);
    expect(closed).toHaveLength(1);
  });

  it("unlinkOpened removes the entry only while it is still the fd's file, in the directory it names now", () => {
    writeFileSync(join(outside, "made"), "");
    const fd = openSync(join(outside, "made"), O_RDWR);
    try {
      // Another file put at the name: not ours to remove.
      renameSync(join(outside, "made"), join(outside, "moved"));
      writeFileSync(join(outside, "made"), "someone else's");
      expect(unlinkOpened(fd, join(outside, "made"))).toBe(false);
      expect(readFileSync(join(outside, "made"), "utf8")).toBe("someone else's");
      // The directory swapped for a symlink to another one with a file of that name: still not ours.
      mkdirSync(join(base, "elsewhere"));
      writeFileSync(join(base, "elsewhere", "moved"), "elsewhere");
      renameSync(outside, join(base, "outside.d"));
      symlinkSync(join(base, "elsewhere"), outside);
      expect(unlinkOpened(fd, join(outside, "moved"))).toBe(false);
      expect(readFileSync(join(base, "elsewhere", "moved"), "utf8")).toBe("elsewhere");
      expect(unlinkOpened(fd, join(base, "outside.d", "moved"))).toBe(true);
      expect(existsSync(join(base, "outside.d", "moved"))).toBe(false);
    } finally {
      closeSync(fd);
    }
  });

  it("beneath the root: a regular file is cut after the check, a new file is made, a FIFO is left as O_TRUNC leaves it", async () => {
    writeFileSync(join(root, "file"), "old content");
    const fd = await openBeneath(O_WRONLY | O_CREAT | O_TRUNC, place, opening(join(root, "file")));
    expect(fstatSync(fd).size).toBe(0);
    closeSync(fd);
    expect(calls).toEqual([O_WRONLY]);
    calls = [];
    const made = openBeneathSync(O_WRONLY | O_CREAT | O_TRUNC, { ...place, path: join(root, "made") }, openingSync(join(root, "made")));
    closeSync(made);
    expect(calls).toEqual([O_WRONLY, O_WRONLY | O_CREAT | O_EXCL]);
    expect(existsSync(join(root, "made"))).toBe(true);
    execFileSync("mkfifo", [join(root, "fifo")]);
    // Read-write: a FIFO's open does not wait. ftruncate(2) of it would fail EINVAL; O_TRUNC is ignored.
    const fifo = await openBeneath(O_RDWR | O_TRUNC, { ...place, path: join(root, "fifo") }, opening(join(root, "fifo")));
    expect(fstatSync(fifo).isFIFO()).toBe(true);
    closeSync(fifo);
    expect(closed).toEqual([]);
  });

  it("holds the backend once from the fd's check through its truncation: a ring that closes its fds when let go never has an fd it closed cut", async () => {
    writeFileSync(join(root, "file"), "old content");
    writeFileSync(join(base, "victim"), "must stay");
    // As uring's ring with a close pending: once nothing holds it, it closes the fds it opened,
    // and the lowest free number goes to the next open anywhere in the process (here: victim).
    const ring = opening(join(root, "file"));
    let opened = -1;
    let holds = 0;
    let victim: number | undefined;
    const calls = {
      open: async (flags: number): Promise<number> => (opened = await ring.open(flags)),
      close: ring.close,
      hold: (): (() => void) => {
        holds++;
        return () => {
          if (--holds > 0 || victim !== undefined) return;
          closeSync(opened);
          victim = openSync(join(base, "victim"), O_RDWR);
        };
      },
    };
    try {
      await openBeneath(O_WRONLY | O_TRUNC, place, calls);
      expect(readFileSync(join(root, "file"), "utf8")).toBe("");
      expect(readFileSync(join(base, "victim"), "utf8")).toBe("must stay");
    } finally {
      if (victim !== undefined) closeSync(victim);
    }
  });

  it("a name that keeps flipping between missing and existing under a plain create is Busy after a bounded number of rounds", async () => {
    const flapping = {
      open: (flags: number): Promise<number> => {
        calls.push(flags);
        const code = (flags & O_EXCL) === 0 ? "ENOENT" : "EEXIST";
        return Promise.reject(Object.assign(new Error(code), { code }));
      },
      close: (): void => undefined,
    };
    await expect(openBeneath(O_WRONLY | O_CREAT, place, flapping)).rejects.toThrow(expect.objectContaining({ kind: "Busy" }));
    expect(calls).toHaveLength(16);
    // Missing for good (a parent that is not there): the exclusive open's ENOENT, as open(2) says it.
    const missing = { ...place, path: join(root, "no", "file") };
    await expect(openBeneath(O_WRONLY | O_CREAT, missing, opening(join(root, "no", "file")))).rejects.toThrow(expect.objectContaining({ kind: "NotFound", code: "ENOENT" }));
    await expect(openBeneath(O_WRONLY, missing, opening(join(root, "no", "file")))).rejects.toThrow(expect.objectContaining({ kind: "NotFound" }));
  });
});
