import { defineProject } from "vitest/config";

const conditions = ["pktio-source", "node", "import", "module", "default"];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  // A project does not inherit the root's testTimeout: without this, vitest's 5 s default fails
  // the fixture-tree scenarios on a loaded 2-core host. Hangs still fail, at 60 s.
  test: { name: "netfs", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
