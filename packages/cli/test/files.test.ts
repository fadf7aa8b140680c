import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { availableBackends } from "@pktio/rt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild, runHere, seededBytes, tempDir } from "./helpers.js";

const backends = (await availableBackends()).filter((entry) => entry.ok).map((entry) => entry.name);
const dir = tempDir();
// Five 1 MiB chunks and a tail: more chunks than one lane, fewer than the 16 lanes.
const data = seededBytes(5 * 1024 * 1024 + 123);
const source = join(dir.path, "source.bin");

beforeAll(() => writeFileSync(source, data));
afterAll(() => dir.remove());

it("at least one backend is available here", () => {
  expect(backends.length).toBeGreaterThan(0);
});

describe.each(backends)("on %s", (backend) => {
  it("cat writes the file's bytes to stdout", async () => {
    const text = "hello, packets\n".repeat(70_000);
    const path = join(dir.path, `cat-${backend}.txt`);
    writeFileSync(path, text);
    const out = await runHere(["cat", "--backend", backend, path, path]);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe("");
    expect(out.stdout.length).toBe(text.length * 2);
    expect(out.stdout === text + text).toBe(true);
  });

  it("cp copies a multi-chunk file byte for byte, and into a directory", async () => {
    const target = join(dir.path, `copy-${backend}.bin`);
    writeFileSync(target, seededBytes(9 * 1024 * 1024, 3)); // longer: must be truncated
    const out = await runHere(["cp", "--backend", backend, source, target]);
    expect(out).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(Buffer.compare(readFileSync(target), data)).toBe(0);

    const into = join(dir.path, `into-${backend}`);
    mkdirSync(into);
    expect((await runHere(["cp", "--backend", backend, source, into])).code).toBe(0);
    expect(Buffer.compare(readFileSync(join(into, "source.bin")), data)).toBe(0);
  });

  it("cp copies onto a device (/dev/null) without truncating it, and from a FIFO to its writer's end", async () => {
    expect(await runHere(["cp", "--backend", backend, source, "/dev/null"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const fifo = join(dir.path, `cp-fifo-${backend}`);
    execFileSync("mkfifo", [fifo]);
    const target = join(dir.path, `from-fifo-${backend}.bin`);
    // A writer that sends the data and leaves: the copy holds all of it, then ends.
    const writer = spawn("sh", ["-c", `cat '${source}' > '${fifo}'`]);
    const written = new Promise((resolve) => writer.once("exit", resolve));
    const out = await runHere(["cp", "--backend", backend, fifo, target]);
    await written;
    expect(out).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(Buffer.compare(readFileSync(target), data)).toBe(0);
  });

  it("cp refuses to copy a file onto itself (same path, hard link, symlink) and leaves it whole", async () => {
    const self = join(dir.path, `self-${backend}.bin`);
    writeFileSync(self, data);
    const hard = join(dir.path, `self-hard-${backend}.bin`);
    linkSync(self, hard);
    const soft = join(dir.path, `self-soft-${backend}.bin`);
    symlinkSync(self, soft);
    for (const to of [self, hard, soft]) {
      const out = await runHere(["cp", "--backend", backend, self, to]);
      expect(out.code, to).toBe(1);
      expect(out.stderr).toMatch(/^pktio: InvalidInput: .*are the same file/);
      expect(Buffer.compare(readFileSync(self), data)).toBe(0);
    }
  });

  it("cp refuses a destination ending in / that is not an existing directory", async () => {
    const missing = join(dir.path, `missing-dir-${backend}`);
    const out = await runHere(["cp", "--backend", backend, source, `${missing}/`]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^pktio: NotADirectory: .*not a directory/);
    expect(existsSync(missing)).toBe(false);
    const file = join(dir.path, `plain-${backend}`);
    writeFileSync(file, "keep");
    const onFile = await runHere(["cp", "--backend", backend, source, `${file}/`]);
    expect(onFile.code).toBe(1);
    expect(readFileSync(file, "utf8")).toBe("keep");
    const into = join(dir.path, `slash-into-${backend}`);
    mkdirSync(into);
    expect((await runHere(["cp", "--backend", backend, source, `${into}/`])).code).toBe(0);
    expect(Buffer.compare(readFileSync(join(into, "source.bin")), data)).toBe(0);
  });

  it("cp gives a new DST the source's permission bits less the umask, and leaves an existing DST's alone", async () => {
    const script = join(dir.path, `script-${backend}.sh`);
    writeFileSync(script, "#!/bin/sh\necho hi\n");
    chmodSync(script, 0o750);
    const made = join(dir.path, `script-copy-${backend}.sh`);
    expect((await runHere(["cp", "--backend", backend, script, made])).code).toBe(0);
    const umask = process.umask(0o022);
    process.umask(umask);
    expect(statSync(made).mode & 0o7777).toBe(0o750 & ~umask);
    const existing = join(dir.path, `script-existing-${backend}.sh`);
    writeFileSync(existing, "old");
    chmodSync(existing, 0o600);
    expect((await runHere(["cp", "--backend", backend, script, existing])).code).toBe(0);
    expect(statSync(existing).mode & 0o7777).toBe(0o600);
    expect(readFileSync(existing, "utf8")).toBe("#!/bin/sh\necho hi\n");
  });

  it("cp copies an empty file", async () => {
    const empty = join(dir.path, `empty-${backend}`);
    writeFileSync(empty, "");
    const target = join(dir.path, `empty-copy-${backend}`);
    expect((await runHere(["cp", "--backend", backend, empty, target])).code).toBe(0);
    expect(statSync(target).size).toBe(0);
  });

  it("stat prints the FileStat as JSON and as lines", async () => {
    const node = statSync(source, { bigint: true });
    const json = await runHere(["stat", "--backend", backend, "--json", source]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ path: source, type: "file", size: data.length, mode: Number(node.mode & 0o7777n), inode: node.ino.toString(), device: node.dev.toString() });
    const lines = await runHere(["stat", "--backend", backend, source, dir.path]);
    expect(lines.code).toBe(0);
    expect(lines.stdout).toContain(`size: ${data.length}\n`);
    expect(lines.stdout).toContain("type: file\n");
    expect(lines.stdout).toContain("type: directory\n");
  });

  it("a missing file is exit 1 with kind NotFound", async () => {
    const missing = join(dir.path, "missing.bin");
    for (const argv of [["stat", missing], ["cat", missing], ["cp", missing, join(dir.path, "x")]]) {
      const out = await runHere([argv[0]!, "--backend", backend, ...argv.slice(1)]);
      expect(out.code, argv.join(" ")).toBe(1);
      expect(out.stderr).toMatch(/^pktio: NotFound: .*missing\.bin/);
      expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });
});

it("stat and cat go on past a FILE that fails, as stat(1) and cat(1): the others are printed, one error line each, exit 1", async () => {
  const missing = join(dir.path, "gone.bin");
  const stat = await runHere(["stat", "--json", source, missing, dir.path]);
  expect(stat.code).toBe(1);
  expect(stat.stdout.trimEnd().split("\n").map((line) => (JSON.parse(line) as { path: string }).path)).toEqual([source, dir.path]);
  expect(stat.stderr).toMatch(/^pktio: NotFound: .*gone\.bin/);
  expect(stat.stderr.trimEnd().split("\n")).toHaveLength(1);
  const text = join(dir.path, "on-both-sides.txt");
  writeFileSync(text, "before and after\n".repeat(1000));
  const cat = await runHere(["cat", text, missing, text]);
  expect(cat.code).toBe(1);
  expect(cat.stdout).toBe("before and after\n".repeat(2000));
  expect(cat.stderr).toMatch(/^pktio: NotFound: .*gone\.bin/);
  expect(cat.stderr.trimEnd().split("\n")).toHaveLength(1);
});

it("cp of a directory is exit 1 with kind IsADirectory (or the backend's refusal)", async () => {
  const out = await runHere(["cp", dir.path, join(dir.path, "y")]);
  expect(out.code).toBe(1);
  expect(out.stderr).toMatch(/^pktio: IsADirectory: /);
});

it("the executable exits 1 with NotFound for a bad path, and 2 for a bad option", async () => {
  const [missing, bad] = await Promise.all([runChild(["stat", join(dir.path, "nope")]), runChild(["stat", "--frob", source])]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/^pktio: NotFound: /);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe("pktio stat: unknown option --frob (see pktio stat --help)\n");
});
