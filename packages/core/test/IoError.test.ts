import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromErrno } from "../src/backend.js";
import { IoError, IoErrorKinds, toIoError, type IoErrorKind } from "../src/index.js";

/** Runs `fn` and returns what it threw (fails the test if it does not throw). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("fromErrno", () => {
  it.each([-2, 2, "ENOENT"] as const)("maps %s to NotFound / ENOENT / errno 2", (errno) => {
    const error = fromErrno(errno);
    expect(error).toBeInstanceOf(IoError);
    expect(error).toBeInstanceOf(Error);
    expect(error.kind).toBe("NotFound");
    expect(error.code).toBe("ENOENT");
    expect(error.errno).toBe(2);
    expect(error.message).toBe("ENOENT: no such file or directory");
    expect(error.name).toBe("IoError");
  });

  it("puts the op and the quoted path in the message and keeps the context", () => {
    const error = fromErrno(-2, { op: "open", path: "/no/such file", backend: "uring" });
    expect(error.message).toBe("ENOENT: no such file or directory, open '/no/such file'");
    expect(error.op).toBe("open");
    expect(error.path).toBe("/no/such file");
    expect(error.backend).toBe("uring");
  });

  it("mentions only what it is given", () => {
    expect(fromErrno(13, { op: "read" }).message).toBe("EACCES: permission denied, read");
    expect(fromErrno(13, { path: "/etc/shadow" }).message).toBe("EACCES: permission denied, '/etc/shadow'");
    // Node's system call names, and a path with control characters stays one line.
    expect(fromErrno(39, { op: "removeDir", path: "/d" }).message).toBe("ENOTEMPTY: directory not empty, rmdir '/d'");
    expect(fromErrno(2, { op: "stat", path: "/a\nb" }).message).toBe("ENOENT: no such file or directory, stat '/a\\x0ab'");
    expect(fromErrno(13).op).toBeUndefined();
    expect(fromErrno(13).path).toBeUndefined();
  });

  it.each([
    [-13, "EACCES", "PermissionDenied"],
    [-17, "EEXIST", "AlreadyExists"],
    [-20, "ENOTDIR", "NotADirectory"],
    [-21, "EISDIR", "IsADirectory"],
    [-28, "ENOSPC", "NoSpace"],
    [-27, "EFBIG", "FileTooLarge"],
    [-40, "ELOOP", "FilesystemLoop"],
    [-31, "EMLINK", "TooManyLinks"],
    [-11, "EAGAIN", "WouldBlock"],
    [-22, "EINVAL", "InvalidInput"],
    [-32, "EPIPE", "BrokenPipe"],
    [-104, "ECONNRESET", "ConnectionReset"],
    [-111, "ECONNREFUSED", "Refused"],
    [-125, "ECANCELED", "Aborted"],
    [-5, "EIO", "Other"],
  ] as const)("maps %s to %s (kind %s), by number and by name", (errno, name, kind) => {
    const byNumber = fromErrno(errno);
    expect(byNumber.code).toBe(name);
    expect(byNumber.kind).toBe(kind);
    expect(byNumber.errno).toBe(-errno);
    const byName = fromErrno(name);
    expect(byName.kind).toBe(kind);
    expect(byName.errno).toBe(-errno);
  });

  it("an unknown errno is kind Other with the code E<number>", () => {
    for (const errno of [9999, -9999]) {
      const error = fromErrno(errno, { op: "weird" });
      expect(error.kind).toBe("Other");
      expect(error.code).toBe("E9999");
      expect(error.errno).toBe(9999);
      expect(error.message).toBe("E9999: weird");
    }
  });

  it("an unknown name keeps the name as code, with no errno number", () => {
    const error = fromErrno("EMADEUP");
    expect(error.kind).toBe("Other");
    expect(error.code).toBe("EMADEUP");
    expect(error.errno).toBeUndefined();
  });
});

describe("IoError", () => {
  it("defaults code to ERR_PKTIO_<KIND> in upper snake case", () => {
    expect(new IoError("InvalidInput", "m").code).toBe("ERR_PKTIO_INVALID_INPUT");
    expect(new IoError("NotFound", "m").code).toBe("ERR_PKTIO_NOT_FOUND");
    expect(new IoError("UnexpectedEof", "m").code).toBe("ERR_PKTIO_UNEXPECTED_EOF");
    expect(new IoError("Other", "m").code).toBe("ERR_PKTIO_OTHER");
    expect(new IoError("AddrInUse", "m").code).toBe("ERR_PKTIO_ADDR_IN_USE");
    expect(new IoError("TooManyOpenFiles", "m").code).toBe("ERR_PKTIO_TOO_MANY_OPEN_FILES");
    // A one-letter word is a word too.
    expect(new IoError("NotADirectory", "m").code).toBe("ERR_PKTIO_NOT_A_DIRECTORY");
    expect(new IoError("IsADirectory", "m").code).toBe("ERR_PKTIO_IS_A_DIRECTORY");
    expect(new IoError("Stale", "m").code).toBe("ERR_PKTIO_STALE");
    expect(new IoError("InvalidData", "m").code).toBe("ERR_PKTIO_INVALID_DATA");
  });

  it("ESTALE (a file changed under its reader) is kind Stale", () => {
    const error = fromErrno(-116, { op: "read", path: "/nfs/x" });
    expect(error.kind).toBe("Stale");
    expect(error.message).toBe("ESTALE: stale file handle, read '/nfs/x'");
  });

  it("every kind's default code is distinct and well formed", () => {
    const codes = IoErrorKinds.map((kind) => new IoError(kind, "m").code);
    expect(new Set(codes).size).toBe(IoErrorKinds.length);
    for (const code of codes) expect(code).toMatch(/^ERR_PKTIO_[A-Z]+(_[A-Z]+)*$/);
  });

  it("an explicit code and errno win over the defaults", () => {
    const error = new IoError("Other", "m", { code: "ECUSTOM", errno: 77 });
    expect(error.code).toBe("ECUSTOM");
    expect(error.errno).toBe(77);
  });

  it("keeps cause only when given", () => {
    const cause = new Error("root");
    expect(new IoError("Other", "m", { cause }).cause).toBe(cause);
    expect("cause" in new IoError("Other", "m")).toBe(false);
  });

  it("is an Error with the name IoError in its string form", () => {
    const error = new IoError("Busy", "try later");
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toBe("IoError: try later");
  });

  it("IoError.is checks the brand and, optionally, the kind", () => {
    const error = new IoError("TimedOut", "slow");
    expect(IoError.is(error)).toBe(true);
    expect(IoError.is(error, "TimedOut")).toBe(true);
    expect(IoError.is(error, "Other")).toBe(false);
    expect(IoError.is(new Error("plain"))).toBe(false);
    expect(IoError.is({ kind: "TimedOut", message: "lookalike" }, "TimedOut")).toBe(false);
    expect(IoError.is(null)).toBe(false);
    expect(IoError.is(undefined, "Other")).toBe(false);
    expect(IoError.is("TimedOut")).toBe(false);
  });
});

describe("toIoError", () => {
  it("passes an IoError through unchanged, ignoring the context", () => {
    const error = new IoError("Busy", "b");
    expect(toIoError(error)).toBe(error);
    expect(toIoError(error, { op: "other" })).toBe(error);
    expect(error.op).toBeUndefined();
  });

  it("maps a Node system error by its code and keeps it as the cause", () => {
    const nodeError = thrownBy(() => readFileSync("/definitely/not/here/pktio-test"));
    expect((nodeError as { code?: unknown }).code).toBe("ENOENT");
    const error = toIoError(nodeError, { op: "readFile" });
    expect(error).toBeInstanceOf(IoError);
    expect(error.kind).toBe("NotFound");
    expect(error.code).toBe("ENOENT");
    expect(error.errno).toBe(2);
    expect(error.op).toBe("readFile");
    expect(error.cause).toBe(nodeError);
  });

  it("maps a resolver's ENOTFOUND to HostNotFound and EFBIG to FileTooLarge, not NoSpace", () => {
    const lookup = Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.invalid"), { code: "ENOTFOUND", syscall: "getaddrinfo" });
    const error = toIoError(lookup, { op: "connect" });
    expect(error.kind).toBe("HostNotFound");
    expect(error.message).toBe("getaddrinfo ENOTFOUND nowhere.invalid");
    expect(fromErrno(-27).kind).toBe("FileTooLarge");
    expect(fromErrno(-27, { op: "write" }).message).toBe("EFBIG: file too large, write");
  });

  it("maps any object with an errno-style code", () => {
    const error = toIoError({ code: "EACCES" });
    expect(error.kind).toBe("PermissionDenied");
    expect(error.code).toBe("EACCES");
  });

  it("does not treat Node's ERR_* codes as errno names", () => {
    const nodeError = thrownBy(() => Buffer.alloc(-1));
    expect((nodeError as { code?: unknown }).code).toMatch(/^ERR_/);
    const error = toIoError(nodeError);
    expect(error.kind).toBe("Other");
    expect(error.code).toBe("ERR_PKTIO_OTHER");
    expect(error.cause).toBe(nodeError);
  });

  it.each<[string, unknown, string]>([
    ["an Error", new TypeError("bad thing"), "bad thing"],
    ["a string", "just text", "just text"],
    ["a number", 42, "42"],
    ["undefined", undefined, "undefined"],
    ["null", null, "null"],
    ["an object without a code", { what: 1 }, "[object Object]"],
  ])("wraps %s as kind Other with the value as cause", (_label, value, message) => {
    const error = toIoError(value, { op: "x", backend: "memory" });
    expect(error).toBeInstanceOf(IoError);
    expect(error.kind).toBe("Other");
    expect(error.code).toBe("ERR_PKTIO_OTHER");
    expect(error.message).toBe(message);
    expect(error.cause).toBe(value);
    expect(error.op).toBe("x");
    expect(error.backend).toBe("memory");
  });
});

describe("instanceof across duplicate module instances", () => {
  async function loadDuplicate(): Promise<typeof import("../src/IoError.js")> {
    // A distinct query string makes vite evaluate a second, independent instance of the module.
    const specifier: string = "../src/IoError.ts?duplicate";
    return (await import(/* @vite-ignore */ specifier)) as typeof import("../src/IoError.js");
  }

  it("the duplicate really is a different class", async () => {
    const duplicate = await loadDuplicate();
    expect(duplicate.IoError).not.toBe(IoError);
    expect(Object.getPrototypeOf(new duplicate.IoError("Other", "m"))).not.toBe(IoError.prototype);
  });

  it("errors of either copy are instances of both", async () => {
    const duplicate = await loadDuplicate();
    const theirs = new duplicate.IoError("NotFound", "from the other copy");
    const ours = new IoError("Busy", "from this copy");
    expect(theirs instanceof IoError).toBe(true);
    expect(ours instanceof duplicate.IoError).toBe(true);
    expect(duplicate.fromErrno(-2) instanceof IoError).toBe(true);
    expect(IoError.is(theirs, "NotFound")).toBe(true);
    expect(duplicate.IoError.is(ours, "Busy")).toBe(true);
    // toIoError of either copy passes the other's errors through untouched.
    expect(toIoError(theirs)).toBe(theirs);
    expect(duplicate.toIoError(ours)).toBe(ours);
  });

  it("plain errors and lookalikes are instances of neither", async () => {
    const duplicate = await loadDuplicate();
    const kind: IoErrorKind = "NotFound";
    const lookalike = Object.assign(new Error("m"), { kind, code: "ENOENT", name: "IoError" });
    const values: unknown[] = [new Error("plain"), lookalike, { kind }, null, "IoError"];
    for (const value of values) {
      expect(value instanceof IoError).toBe(false);
      expect(value instanceof duplicate.IoError).toBe(false);
    }
  });
});
