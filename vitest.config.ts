import { defineConfig } from "vitest/config";

// Workspace packages resolve to their sources through the "pktio-source" export condition, so
// tests never run against a stale build.
const conditions = ["pktio-source", "node", "import", "module", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["pktio-source"] } },
  test: {
    projects: ["packages/*", "examples"],
    pool: "forks",
    testTimeout: 60_000,
  },
});
