import { dirname, join } from "node:path";
import { defineConfig, type Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * The CommonJS build cannot use the ES build's top-level await: it gets uringModule.cjs.ts (a
 * lazy require) in place of internal/uringModule.ts.
 */
const uringLoaderPerFormat: Plugin = {
  name: "uring-loader-per-format",
  setup(build) {
    if (build.initialOptions.format !== "cjs") return;
    build.onResolve({ filter: /\/uringModule\.js$/ }, (args) => ({ path: join(args.resolveDir, dirname(args.path), "uringModule.cjs.ts") }));
  },
};

export default defineConfig({
  entry: ["src/index.ts"],
  external: ["@pktio/core", "@pktio/libuv", "@pktio/uring", "@pktio/threaded"],
  format: ["esm", "cjs"],
  esbuildPlugins: [uringLoaderPerFormat],
  // The composite tsconfig is for `tsc -b`; the declaration bundle is built standalone.
  dts: { compilerOptions: { composite: false } },
  // uringModule.cjs.ts resolves from import.meta.url, which the CommonJS build needs shimmed.
  shims: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
