import { defineProject } from "vitest/config";

const conditions = ["pktio-source", "node", "import", "module", "default"];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { name: "threaded", include: ["test/**/*.test.ts"] },
});
