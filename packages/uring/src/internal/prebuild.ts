/**
 * Picks the prebuilt addon for this machine: prebuilds/<platform>-<arch>-<libc>/pktio_uring.node,
 * shipped in the package (no install step builds anything). `PKTIO_URING_BUILD=Debug` selects the
 * source build build/Debug/pktio_uring.node instead (debug + AddressSanitizer, needs libasan
 * preloaded; `pnpm --filter @pktio/uring run build:debug`).
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The builds PKTIO_URING_BUILD may name. */
export const BUILDS = ["Release", "Debug"] as const;

/** What the loader found: the addon's path, or why there is none. */
export type PrebuildChoice = { readonly path: string } | { readonly missing: string };

/** "glibc" or "musl": Node's report names the glibc it runs on, and has no such field on musl. */
export function libcFamily(): "glibc" | "musl" {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return typeof header?.glibcVersionRuntime === "string" ? "glibc" : "musl";
}

/** This machine's tuple, as prebuilds/ names its folders. */
export function platformTuple(): string {
  return `${process.platform}-${process.arch}-${libcFamily()}`;
}

/** The package root (the folder with package.json and prebuilds/), from this module in src/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(thisModulePath());
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "native"))) return dir;
    dir = dirname(dir);
  }
  return dir;
}

/** The tuples this install carries, for the message when none fits. */
function shippedTuples(root: string): string[] {
  try {
    return readdirSync(join(root, "prebuilds")).filter((name) => existsSync(join(root, "prebuilds", name, "pktio_uring.node")));
  } catch {
    return [];
  }
}

/** The addon file for `build` (Release: this machine's prebuild), or a sentence saying what to do. */
export function choosePrebuild(build: (typeof BUILDS)[number]): PrebuildChoice {
  const root = packageRoot();
  if (build === "Debug") {
    const path = join(root, "build", "Debug", "pktio_uring.node");
    return existsSync(path) ? { path } : { missing: `the debug addon is not built (${path} is missing; run \`pnpm --filter @pktio/uring run build:debug\`)` };
  }
  const tuple = platformTuple();
  const path = join(root, "prebuilds", tuple, "pktio_uring.node");
  if (existsSync(path)) return { path };
  const shipped = shippedTuples(root);
  return {
    missing:
      `no prebuilt uring addon for ${tuple} (this install has ${shipped.length > 0 ? shipped.join(", ") : "none"}); ` +
      `build one from source with \`npm run build:addon\` in ${root} (needs a C compiler and node-api-headers)`,
  };
}

/**
 * This module's file: `__filename` in the CommonJS build (tsup's shim for import.meta.url pastes
 * the path after "file:", so a folder named with "#" or "%41" became another path), else the
 * ES module's own URL. Only an absolute `__filename` counts: an ES module loaded from `node -e`
 * or an eval'd worker sees that script's global `__filename`, "[eval]" or "[worker eval]".
 */
export function thisModulePath(): string {
  return typeof __filename === "string" && isAbsolute(__filename) ? __filename : fileURLToPath(import.meta.url);
}
