import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/backend.ts"],
  format: ["esm", "cjs"],
  // Both entries share one copy of every module (Packet's private state, the IoError brand), in CJS too.
  splitting: true,
  // Classes keep their names in the bundle: `error.constructor.name` is "IoError", not "_IoError".
  keepNames: true,
  // The composite tsconfig is for `tsc -b`; the declaration bundle is built standalone.
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: "node20",
});
