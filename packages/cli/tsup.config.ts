import { defineConfig } from "tsup";

export default defineConfig({
  // main.ts is the `pktio` executable (esbuild keeps its #! line); index.ts is the library.
  entry: ["src/index.ts", "src/main.ts"],
  external: ["@pktio/core", "@pktio/rt", "@pktio/netfs"],
  format: ["esm", "cjs"],
  // The composite tsconfig is for `tsc -b`; the declaration bundle is built standalone.
  dts: { entry: "src/index.ts", compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: "node20",
});
