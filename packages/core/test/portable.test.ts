// design.md §2: @pktio/core imports nothing from node:* at the top level, so core and MemoryIo load
// in a browser bundle, Deno and Bun. Proof: esbuild bundles it for the browser (an unresolved
// `node:` import fails the build or stays in the output), and the bundle round-trips bytes through
// MemoryIo in a fresh vm context that has a browser's globals and no require, process or setImmediate.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";

/** A static import, a require or a dynamic import of a node: module (a string "node:x" passed to
 * core's lazy `nodeBuiltin` is no import and is allowed). */
const nodeImport = /(?:from\s*|require\(\s*|import\(\s*|import\s+)["']node:/;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// esbuild is the one under tsup (core's build tool), so the test adds no dependency.
// Typed here by the few fields used, since core does not depend on esbuild's types.
const esbuild = createRequire(createRequire(import.meta.url).resolve("tsup"))("esbuild") as {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
};

async function browserBundle(entry: string, conditions: string[]): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    globalName: "pktio",
    conditions,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

interface Exports {
  MemoryIo: new () => { size: number };
  writeAllAt(io: unknown, pos: number, bytes: Uint8Array): Promise<void>;
  readExactAt(io: unknown, pos: number, bytes: Uint8Array): Promise<void>;
  IoError: { new (kind: string, message: string): Error; is(value: unknown, kind?: string): boolean };
}

/** Evaluates the bundle where only a browser's globals exist, and returns what it exported. */
function evaluate(code: string): { exports: Exports; context: Record<string, unknown> } {
  const context: Record<string, unknown> = { queueMicrotask, setTimeout, clearTimeout, TextEncoder, TextDecoder, console };
  createContext(context);
  runInContext(code, context);
  return { exports: context["pktio"] as Exports, context };
}

async function roundTrip(exports: Exports, context: Record<string, unknown>): Promise<void> {
  expect(runInContext("typeof require + typeof process + typeof setImmediate", context)).toBe("undefinedundefinedundefined");
  // Bytes of the context's own realm, as code running there would have.
  const Bytes = runInContext("Uint8Array", context) as Uint8ArrayConstructor;
  const io = new exports.MemoryIo();
  const bytes = Bytes.of(1, 2, 3, 4, 5, 250);
  await exports.writeAllAt(io, 3, bytes);
  expect(io.size).toBe(9);
  const back = new Bytes(6);
  await exports.readExactAt(io, 3, back);
  expect([...back]).toEqual([...bytes]);
  // A read past the end rejects with a real IoError of the bundle's own class.
  const error = await exports.readExactAt(io, 8, new Bytes(4)).then(() => undefined, (thrown: unknown) => thrown);
  expect(exports.IoError.is(error, "UnexpectedEof")).toBe(true);
}

describe("@pktio/core in a browser bundle", () => {
  it("the source bundles for the browser with no node: import, and MemoryIo round-trips in a bare vm context", async () => {
    const code = await browserBundle(join(root, "src/index.ts"), ["pktio-source"]);
    expect(code).not.toMatch(nodeImport);
    const { exports, context } = await evaluate(code);
    await roundTrip(exports, context);
  });

  // The built ESM file is what users bundle. CI builds before it tests; a fresh clone that has not
  // run `pnpm build` has no dist to check, so only then is this skipped.
  const dist = join(root, "dist/index.js");
  it.skipIf(!existsSync(dist) && process.env["CI"] !== "true")("the built dist/index.js does the same", async () => {
    const code = await browserBundle(dist, []);
    expect(code).not.toMatch(nodeImport);
    const { exports, context } = await evaluate(code);
    await roundTrip(exports, context);
  });

  it("the built dist files import nothing from node: at the top level", async () => {
    if (!existsSync(dist)) return expect(process.env["CI"]).not.toBe("true");
    const { readdirSync, readFileSync } = await import("node:fs");
    for (const file of readdirSync(join(root, "dist")).filter((name) => /\.(c?js)$/.test(name))) {
      const text = readFileSync(join(root, "dist", file), "utf8");
      expect(text, file).not.toMatch(nodeImport);
    }
  });
});

describe("the built dist keeps class names", () => {
  const dist = join(root, "dist");
  // Without esbuild's keepNames a class that refers to itself is emitted as `class _IoError`.
  // Skipped only in a fresh clone that has not run `pnpm build` (no dist); CI builds first, so
  // there a missing dist fails the test instead.
  it.skipIf(!existsSync(join(dist, "index.js")) && process.env["CI"] !== "true")("IoError and Packet are called so in ESM and CJS", async () => {
    const esm = (await import(join(dist, "index.js"))) as { IoError: new (kind: string, message: string) => Error; Packet: { name: string } };
    const cjs = createRequire(import.meta.url)(join(dist, "index.cjs")) as typeof esm;
    for (const build of [esm, cjs]) {
      expect(new build.IoError("Other", "m").constructor.name).toBe("IoError");
      expect(build.Packet.name).toBe("Packet");
    }
  });
});
