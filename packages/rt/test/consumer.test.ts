/**
 * pktio as a stranger installs it: every publishable package packed (`pnpm pack` rewrites the
 * workspace: and catalog: specifiers), the tarballs installed with plain npm into a fresh folder
 * with a fresh HOME and npm cache (so no ~/.npmrc, no nodedir, no cached headers), with and without
 * --ignore-scripts. There an ES module and a CommonJS script open the default runtime and read a
 * file, `npx pktio --help` runs, and a .ts file type-checks under module nodenext and under
 * moduleResolution bundler. It packs what `pnpm build` made: run the build first.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableBackends } from "../src/index.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** Installed into the consumer; conformance is packed and checked but pulls vitest, so not installed. */
const RUNTIME_PACKAGES = ["core", "libuv", "threaded", "uring", "rt", "cli", "netfs"];
const PACKED = [...RUNTIME_PACKAGES, "conformance"];
const ALL_TUPLES = ["linux-x64-glibc", "linux-x64-musl", "linux-arm64-glibc"];
/**
 * The prebuilds `pnpm build` could make here. A machine without the cross compilers (musl-tools,
 * gcc-aarch64-linux-gnu) packs uring with PKTIO_PACK_PREBUILDS=available and checks the tuples it
 * has; .ci/run installs them, so CI checks all three.
 */
const TUPLES = ALL_TUPLES.filter((tuple) => existsSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "uring", "prebuilds", tuple, "pktio_uring.node")));
const MISSING_TUPLES = ALL_TUPLES.filter((tuple) => !TUPLES.includes(tuple));
if (MISSING_TUPLES.length > 0) {
  console.warn(`consumer test: no prebuild for ${MISSING_TUPLES.join(", ")} (cross compilers not installed: apt-get install musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross); packing uring without them`);
}
const STEP_TIMEOUT = 240_000;

/** The environment of a stranger: no npm_* / pnpm settings inherited, a fresh HOME and cache. */
function strangerEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|NODE_PATH$|PKTIO_|VITEST|NODE_ENV$)/i.test(key)) env[key] = value;
  }
  return { ...env, HOME: home, npm_config_cache: join(home, "npm-cache"), npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: STEP_TIMEOUT });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited with ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** pnpm: the one running this suite when there is one, else npx's. */
function pnpm(): [string, string[]] {
  const execPath = process.env["npm_execpath"];
  if (execPath !== undefined && /pnpm/.test(execPath) && existsSync(execPath)) return [process.execPath, [execPath]];
  return ["npx", ["--yes", "pnpm@10"]];
}

const SCRIPT_BODY = `
  const data = new Uint8Array(100_000).map((_, i) => (i * 7919) & 0xff);
  const path = join(process.argv[2], "data.bin");
  writeFileSync(path, data);
  const rt = await openRuntime();
  const file = await rt.fs.open(path);
  const bytes = await file.readToEnd();
  await file.close();
  const backend = rt.backend;
  await rt.close();
  console.log(JSON.stringify({ backend, same: Buffer.from(bytes).equals(readFileSync(path)), length: bytes.length }));
`;
const ESM = `import { openRuntime } from "@pktio/rt";\nimport { readFileSync, writeFileSync } from "node:fs";\nimport { join } from "node:path";\n${SCRIPT_BODY}`;
const CJS = `const { openRuntime } = require("@pktio/rt");\nconst { readFileSync, writeFileSync } = require("node:fs");\nconst { join } = require("node:path");\n(async () => {${SCRIPT_BODY}})();`;
const TYPED = `import { openRuntime, availableBackends, type Runtime, type BackendName } from "@pktio/rt";
import { IoError, MemoryIo, Packet, Write, io, readExactAt, writeAllAt } from "@pktio/core";
import { openUring } from "@pktio/uring";
import { openLibuv } from "@pktio/libuv";
import { openHttpFile, type HttpFile } from "@pktio/netfs";

export async function firstByte(path: string): Promise<number> {
  const order: BackendName[] = ["uring", "libuv"];
  const rt: Runtime = await openRuntime({ backends: order });
  const file = await rt.fs.open(path);
  const header: number = await file.readNumberAt(0, "u8");
  await file.close();
  await rt.close();
  return header;
}
export async function memory(): Promise<string | undefined> {
  const mem = new MemoryIo();
  await writeAllAt(mem, 0, new TextEncoder().encode("hello"));
  await readExactAt(mem, 0, new Uint8Array(5));
  const { error } = await io(mem, 0, Packet.alloc(8, Write));
  const reasons = (await availableBackends()).map((a) => (a.ok ? a.name : a.reason));
  void reasons;
  void openUring;
  void openLibuv;
  const remote: (url: string) => Promise<HttpFile> = openHttpFile;
  void remote;
  return error instanceof IoError ? error.kind : undefined;
}
`;

let work: string;
let tarballs: Record<string, string>;
let expectedBackend: string;

beforeAll(async () => {
  for (const name of PACKED) {
    if (!existsSync(join(repo, "packages", name, "dist", "index.js"))) {
      throw new Error(`packages/${name}/dist is missing: the consumer test packs the build, so run \`npx --yes pnpm@10 build\` first`);
    }
  }
  const uring = (await availableBackends()).find((entry) => entry.name === "uring");
  // Where io_uring works in the monorepo it must work in the consumer too; elsewhere both fall back.
  expectedBackend = uring?.ok ? "uring" : "libuv";
  work = mkdtempSync(join(tmpdir(), "pktio-consumer-"));
  const packs = join(work, "tarballs");
  mkdirSync(packs);
  const [command, prefix] = pnpm();
  tarballs = {};
  for (const name of PACKED) {
    const before = new Set(readdirSync(packs));
    const partial = MISSING_TUPLES.length > 0 ? { PKTIO_PACK_PREBUILDS: "available" } : {};
    run(command, [...prefix, "pack", "--pack-destination", packs], join(repo, "packages", name), { ...process.env, CI: "true", ...partial });
    const made = readdirSync(packs).filter((file) => !before.has(file));
    expect(made).toHaveLength(1);
    tarballs[name] = join(packs, made[0] as string);
  }
}, 2 * STEP_TIMEOUT);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("consumer", () => {
  it("every tarball carries README.md, LICENSE, its build and no workspace: or catalog: specifier", () => {
    const sizes: string[] = [];
    for (const name of PACKED) {
      const tarball = tarballs[name] as string;
      const listing = run("tar", ["-tzf", tarball], work, process.env).stdout.split("\n");
      expect(listing, name).toContain("package/README.md");
      expect(listing, name).toContain("package/LICENSE");
      expect(listing, name).toContain("package/dist/index.js");
      expect(listing, name).toContain("package/dist/index.d.ts");
      const manifest = run("tar", ["-xzOf", tarball, "package/package.json"], work, process.env).stdout;
      expect(manifest, name).not.toMatch(/"(workspace|catalog):/);
      const scripts = (JSON.parse(manifest) as { scripts?: Record<string, string> }).scripts ?? {};
      for (const hook of ["preinstall", "install", "postinstall"]) expect(scripts[hook], `${name} ${hook}`).toBeUndefined();
      if (name === "uring") {
        expect(TUPLES.length, "pnpm build made no prebuild for this machine").toBeGreaterThan(0);
        for (const tuple of TUPLES) expect(listing).toContain(`package/prebuilds/${tuple}/pktio_uring.node`);
        expect(listing).not.toContain("package/binding.gyp");
      }
      sizes.push(`${name} ${(statSync(tarball).size / 1024).toFixed(1)} KiB`);
    }
    console.log(`consumer: tarballs ${sizes.join(", ")}`);
  });

  for (const ignoreScripts of [false, true]) {
    const label = ignoreScripts ? "npm install --ignore-scripts" : "npm install";
    it(`${label}: ESM and CJS read through the default runtime, npx pktio --help runs${ignoreScripts ? "" : ", the types check"}`, () => {
      // A folder name with "#", "%41" and a space: CommonJS resolved the addon from a mangled path
      // there (tsup's import.meta.url shim) and reported uring as not installed.
      const app = join(work, ignoreScripts ? "app ignore#scripts %41" : "app");
      const home = join(work, ignoreScripts ? "home-ignore-scripts" : "home");
      mkdirSync(app);
      mkdirSync(home);
      const env = strangerEnv(home);
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
      const started = performance.now();
      run("npm", ["install", "--no-audit", "--no-fund", ...(ignoreScripts ? ["--ignore-scripts"] : []), ...RUNTIME_PACKAGES.map((name) => tarballs[name] as string)], app, env);
      console.log(`consumer: ${label} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(existsSync(join(app, "node_modules", "@types", "node", "package.json"))).toBe(true);

      writeFileSync(join(app, "esm.mjs"), ESM);
      writeFileSync(join(app, "cjs.cjs"), CJS);
      for (const script of ["esm.mjs", "cjs.cjs"]) {
        const out = run(process.execPath, [script, app], app, env);
        expect(JSON.parse(out.stdout), script).toEqual({ backend: expectedBackend, same: true, length: 100_000 });
      }

      // A plugin that registers through require() is seen by an app that imports rt (one table).
      const dual = `import { createRequire } from "node:module";\nimport { openLibuv } from "@pktio/libuv";\ncreateRequire(import.meta.url)("@pktio/rt").registerBackend("plugin", () => openLibuv());\nconst { openRuntime } = await import("@pktio/rt");\nconst rt = await openRuntime({ backends: ["plugin"] });\nconsole.log("opened " + rt.backend);\nawait rt.close();\n`;
      writeFileSync(join(app, "dual.mjs"), dual);
      // Before, the import's table did not have it: InvalidInput, unknown backend "plugin".
      expect(run(process.execPath, ["dual.mjs"], app, env).stdout.trim()).toBe("opened libuv");

      const help = run("npx", ["--no-install", "pktio", "--help"], app, env);
      expect(help.stdout).toMatch(/bench/);

      // The tree --ignore-scripts installs is the same (no package has an install script, checked
      // above), so the slow part, type-checking @types/node with skipLibCheck off, runs once.
      if (ignoreScripts) return;
      writeFileSync(join(app, "typed.ts"), TYPED);
      const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
      const strict = { strict: true, noEmit: true, target: "ES2022", lib: ["ES2023"], skipLibCheck: false };
      writeFileSync(join(app, "tsconfig.nodenext.json"), JSON.stringify({ compilerOptions: { ...strict, module: "nodenext", moduleResolution: "nodenext" }, files: ["typed.ts"] }));
      writeFileSync(join(app, "tsconfig.bundler.json"), JSON.stringify({ compilerOptions: { ...strict, module: "esnext", moduleResolution: "bundler" }, files: ["typed.ts"] }));
      for (const config of ["tsconfig.nodenext.json", "tsconfig.bundler.json"]) run(process.execPath, [tsc, "-p", config], app, env);
    }, 2 * STEP_TIMEOUT);
  }

  it("without @pktio/uring installed, rt still loads and says why uring is missing and what to do", () => {
    const app = join(work, "app");
    rmSync(join(app, "node_modules", "@pktio", "uring"), { recursive: true, force: true });
    const script = `import("@pktio/rt").then(async (m) => { const rt = await m.openRuntime(); const a = await m.availableBackends(); console.log(JSON.stringify({ backend: rt.backend, uring: a.find((x) => x.name === "uring") })); await rt.close(); });`;
    for (const type of ["module", "commonjs"]) {
      const run2 = type === "module" ? ["--input-type=module", "-e", script] : ["-e", script.replace('import("@pktio/rt")', 'Promise.resolve(require("@pktio/rt"))')];
      const out = run(process.execPath, run2, app, strangerEnv(join(work, "home")));
      const report = JSON.parse(out.stdout) as { backend: string; uring: { ok: boolean; reason: string } };
      expect(report.backend, type).toBe("libuv");
      expect(report.uring.ok, type).toBe(false);
      expect(report.uring.reason, type).toMatch(/optional package @pktio\/uring is not installed.*npm install @pktio\/uring/);
    }
    // rt's declarations do not import the optional package: they type-check without it.
    writeFileSync(join(app, "no-uring.ts"), `import { openRuntime, type BackendOptions } from "@pktio/rt";\nconst options: BackendOptions = { uring: { maxInFlight: 64, submitThread: "auto" } };\nexport const opened = openRuntime({ options });\n`);
    writeFileSync(join(app, "tsconfig.no-uring.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: "ES2022", lib: ["ES2023"], skipLibCheck: false, module: "nodenext", moduleResolution: "nodenext" }, files: ["no-uring.ts"] }));
    run(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.no-uring.json"], app, strangerEnv(join(work, "home")));
  });
});
