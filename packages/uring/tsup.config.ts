import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  external: ["@pktio/core", "@pktio/libuv"],
  format: ["esm", "cjs"],
  // The composite tsconfig is for `tsc -b`; the declaration bundle is built standalone.
  dts: { compilerOptions: { composite: false } },
  // The addon is found from import.meta.url, which the CommonJS build needs shimmed.
  shims: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
