import { defineProject } from "vitest/config";

const conditions = ["pktio-source", "node", "import", "module", "default"];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  // Some tests spawn the CLI, which spawns a worker per job: seconds, not milliseconds.
  test: { name: "cli", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
