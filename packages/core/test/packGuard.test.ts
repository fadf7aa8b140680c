/**
 * `npm pack` of a workspace package would keep its `workspace:^` and `catalog:` ranges, and the
 * tarball could not be installed anywhere (EUNSUPPORTEDPROTOCOL): every publishable package's
 * prepack refuses any packer but pnpm, which rewrites them (the consumer test packs with pnpm).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packages = fileURLToPath(new URL("../../", import.meta.url));
const PUBLISHED = ["core", "libuv", "threaded", "uring", "rt", "netfs", "cli", "conformance"];

describe("packing", () => {
  it("npm pack of a workspace package fails with a message naming pnpm, before it writes a tarball", () => {
    const run = spawnSync("npm", ["pack", "--dry-run", "--ignore-scripts=false"], { cwd: join(packages, "core"), encoding: "utf8", env: { ...process.env, npm_config_user_agent: "" } });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/pack with pnpm/);
  });

  it("every published package carries the guard in its prepack", () => {
    for (const name of PUBLISHED) {
      const manifest = JSON.parse(readFileSync(join(packages, name, "package.json"), "utf8")) as { scripts?: Record<string, string> };
      expect(manifest.scripts?.["prepack"], name).toMatch(/^node -e "if \(!\/\^pnpm/);
    }
  });
});
