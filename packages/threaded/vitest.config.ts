import { defineProject } from "vitest/config";

const conditions = ["pktio-source", "node", "import", "module", "default"];

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  // A project does not inherit the root's testTimeout; on a loaded 2-core host the 64 MiB
  // fixture-tree scenarios took over vitest's default 5 s. Hangs still fail, at 60 s.
  test: { name: "threaded", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
