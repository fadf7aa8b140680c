#!/usr/bin/env node
// Builds the io_uring addon from source with one plain `cc` call per platform tuple: no node-gyp,
// no python, no download. Node-API headers come from the `node-api-headers` package (a
// devDependency, else the machine's Node headers); the few libuv functions the binding calls are
// declared in native/include/pktio_uv.h, so no uv.h is needed.
//
//   node scripts/build-addon.mjs            every tuple whose compiler is installed (the host's
//                                           is required), plus the test helper build/Release/deny_uring
//   node scripts/build-addon.mjs --all      every tuple in TARGETS, failing if a compiler is missing
//                                           (prepack: a published tarball carries all of them)
//   node scripts/build-addon.mjs --debug    the host's debug + AddressSanitizer/UBSan build,
//                                           build/Debug/pktio_uring.node (PKTIO_URING_BUILD=Debug)
//   --force                                 rebuild even when the output is newer than its inputs
//   PKTIO_PACK_PREBUILDS=available          with --all: skip the tuples whose compiler is missing
//                                           (the host's still required); for test packs only, a
//                                           tarball so made lacks those platforms
//
// Output: prebuilds/<platform>-<arch>-<libc>/pktio_uring.node, the files the loader
// (src/internal/prebuild.ts) picks from at run time.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!["--all", "--debug", "--force"].includes(arg)) fail(`unknown argument ${arg} (use --all, --debug, --force)`);
}
const force = args.has("--force");
const packPrebuilds = process.env.PKTIO_PACK_PREBUILDS;
if (packPrebuilds !== undefined && packPrebuilds !== "" && packPrebuilds !== "all" && packPrebuilds !== "available") {
  fail(`PKTIO_PACK_PREBUILDS must be "all" or "available", got ${JSON.stringify(packPrebuilds)}`);
}
/** --all, unless the test pack asked for what this machine can build. */
const requireAll = args.has("--all") && packPrebuilds !== "available";

function fail(message) {
  console.error(`pktio uring build: ${message}`);
  process.exit(1);
}

if (process.platform !== "linux") {
  console.log("pktio uring build: not Linux, no addon to build");
  process.exit(0);
}

/** The addon's sources: every native/src/*.c (by glob, so new files join the build) and the binding. */
const sources = [
  join(root, "native", "binding.c"),
  ...readdirSync(join(root, "native", "src"))
    .filter((name) => name.endsWith(".c"))
    .sort()
    .map((name) => join(root, "native", "src", name)),
];
/** Files whose change means a rebuild: sources, headers and this script (the flags live here). */
const inputs = [
  ...sources,
  fileURLToPath(import.meta.url),
  ...[join(root, "native", "include"), join(root, "native", "src")].flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith(".h"))
      .map((name) => join(dir, name)),
  ),
];

const COMMON = ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden", "-fPIC", "-shared", "-D_LARGEFILE_SOURCE", "-D_FILE_OFFSET_BITS=64"];
const RELEASE = ["-O2", "-s"];
const DEBUG = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined"];

/** node_api.h: the node-api-headers package, else the Node install of this machine. */
function napiInclude() {
  try {
    const pkg = createRequire(join(root, "package.json")).resolve("node-api-headers/package.json");
    const dir = join(dirname(pkg), "include");
    if (existsSync(join(dir, "node_api.h"))) return dir;
  } catch {
    // Not installed (a consumer building from source): fall through to the system's headers.
  }
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), ".."), "/usr", "/usr/local"];
  for (const dir of candidates) {
    if (dir && existsSync(join(dir, "include", "node", "node_api.h"))) return join(dir, "include", "node");
  }
  fail("no Node-API headers: install the node-api-headers package, or Node's headers (include/node/node_api.h)");
}

/** The host's tuple, as the loader names it. */
function hostLibc() {
  const report = process.report?.getReport?.();
  return report?.header?.glibcVersionRuntime ? "glibc" : "musl";
}
const hostArch = process.arch;
const hostTuple = `linux-${hostArch}-${hostLibc()}`;

/** Is `command` on PATH? */
function has(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * musl-gcc sees only musl's headers; the kernel's uapi headers (linux/, asm/, asm-generic/) do not
 * depend on the libc, so a folder of links to the host's copies makes them visible.
 */
function kernelHeadersForMusl() {
  const dir = mkdtempSync(join(tmpdir(), "pktio-musl-include-"));
  const multiarch = "/usr/include/x86_64-linux-gnu/asm";
  for (const [name, target] of [
    ["linux", "/usr/include/linux"],
    ["asm-generic", "/usr/include/asm-generic"],
    ["asm", existsSync(multiarch) ? multiarch : "/usr/include/asm"],
  ]) {
    if (!existsSync(target)) fail(`kernel headers ${target} missing (Debian: linux-libc-dev)`);
    symlinkSync(target, join(dir, name));
  }
  return dir;
}

/**
 * Can `cc` preprocess a libc header? A cross compiler installed without its C library (Debian's
 * gcc-aarch64-linux-gnu without libc6-dev-arm64-cross, a Recommends) cannot build the addon.
 */
function hasLibcHeaders(cc) {
  return spawnSync(cc, ["-E", "-x", "c", "-", "-o", "/dev/null"], { input: "#include <stdint.h>\n#include <stdio.h>\n", stdio: ["pipe", "ignore", "ignore"] }).status === 0;
}

/** Platform tuples the tarball carries, each with its compiler and extra flags. */
const TARGETS = [
  { tuple: "linux-x64-glibc", cc: hostTuple === "linux-x64-glibc" ? "cc" : "x86_64-linux-gnu-gcc", apt: "gcc" },
  { tuple: "linux-x64-musl", cc: hostTuple === "linux-x64-musl" ? "cc" : "musl-gcc", apt: "musl-tools", musl: hostTuple !== "linux-x64-musl", hostOnly: "x64" },
  { tuple: "linux-arm64-glibc", cc: hostTuple === "linux-arm64-glibc" ? "cc" : "aarch64-linux-gnu-gcc", apt: "gcc-aarch64-linux-gnu libc6-dev-arm64-cross" },
];

function newerThanInputs(output) {
  if (force || !existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return inputs.every((file) => statSync(file).mtimeMs <= built);
}

function compile(cc, flags, files, output) {
  mkdirSync(dirname(output), { recursive: true });
  const argv = [...flags, ...files, "-o", output];
  const result = spawnSync(cc, argv, { cwd: root, stdio: "inherit" });
  if (result.error) fail(`${cc}: ${result.error.message}`);
  if (result.status !== 0) fail(`${cc} ${argv.join(" ")} exited with ${result.status}`);
}

const includes = ["-I", join(root, "native", "include"), "-I", napiInclude()];

if (args.has("--debug")) {
  const output = join(root, "build", "Debug", "pktio_uring.node");
  if (!has("cc")) fail("no C compiler (cc) for the debug build");
  if (!newerThanInputs(output)) compile("cc", [...COMMON, ...DEBUG, ...includes], sources, output);
  console.log(`pktio uring build: ${output}`);
  process.exit(0);
}

const built = [];
const skipped = [];
for (const target of TARGETS) {
  const output = join(root, "prebuilds", target.tuple, "pktio_uring.node");
  const usable = has(target.cc) && (target.hostOnly === undefined || target.hostOnly === hostArch) && hasLibcHeaders(target.cc);
  if (!usable) {
    if (requireAll || target.tuple === hostTuple) fail(`${target.tuple} needs ${target.cc} and its C library headers (Debian: apt-get install ${target.apt})`);
    skipped.push(`${target.tuple} (no ${target.cc} or no C library headers for it; Debian: apt-get install ${target.apt})`);
    continue;
  }
  if (!newerThanInputs(output)) {
    const extra = [];
    let musl;
    if (target.musl) {
      musl = kernelHeadersForMusl();
      extra.push("-isystem", musl);
    }
    try {
      compile(target.cc, [...COMMON, ...RELEASE, ...includes, ...extra], sources, output);
    } finally {
      if (musl) rmSync(musl, { recursive: true, force: true });
    }
  }
  built.push(target.tuple);
}

// The seccomp helper the tests run programs under (not shipped: `files` leaves build/ out).
const helper = join(root, "build", "Release", "deny_uring");
const helperSource = join(root, "native", "tools", "deny_uring.c");
if (has("cc") && (force || !existsSync(helper) || statSync(helperSource).mtimeMs > statSync(helper).mtimeMs)) {
  compile("cc", ["-std=gnu11", "-O2", "-Wall", "-Wextra"], [helperSource], helper);
}

console.log(`pktio uring build: prebuilds ${built.join(", ")}${skipped.length ? `; skipped ${skipped.join(", ")}` : ""}`);
