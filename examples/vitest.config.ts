import { defineProject } from "vitest/config";

const conditions = ["pktio-source", "node", "import", "module", "default"];

// The examples are recipes that are tests: each one under test/ runs against every backend.
export default defineProject({
  resolve: { conditions },
  // Vitest also passes the SSR conditions to Node as --conditions: with "import" among them, a
  // CommonJS dependency's require() (yazl's of buffer-crc32) got the ESM build. Vite adds
  // import/require by itself.
  ssr: { resolve: { conditions: ["pktio-source", "node"] } },
  test: { name: "examples", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
