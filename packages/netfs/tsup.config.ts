import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  external: ["@pktio/core", "undici"],
  format: ["esm", "cjs"],
  // The composite tsconfig is for `tsc -b`; the declaration bundle is built standalone.
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: "node20",
});
