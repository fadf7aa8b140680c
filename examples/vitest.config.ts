import { defineProject } from "vitest/config";

const conditions = ["pktio-source", "node", "import", "module", "default"];

// The examples are recipes that are tests: each one under test/ runs against every backend.
export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { name: "examples", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
