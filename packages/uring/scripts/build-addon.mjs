#!/usr/bin/env node
// Builds the io_uring addon with node-gyp: Release by default, `--debug` for the debug +
// AddressSanitizer variant (build/Debug). Node's headers come from the machine (no download).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const debug = process.argv.includes("--debug");
if (process.platform !== "linux") {
  console.log("pktio uring: not Linux, no addon to build");
  process.exit(0);
}

/** Where node_api.h is: npm's nodedir setting, then the prefix of this node binary. */
function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), ".."), "/usr", "/usr/local"];
  for (const dir of candidates) {
    if (dir && existsSync(join(dir, "include", "node", "node_api.h"))) return dir;
  }
  return undefined;
}

const dir = nodeDir();
if (dir === undefined) {
  console.error("pktio uring: no Node headers found (include/node/node_api.h); set npm_config_nodedir");
  process.exit(1);
}
const gyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
const run = (args) => {
  const result = spawnSync(process.execPath, [gyp, ...args, `--nodedir=${dir}`], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
if (!existsSync(join(root, "build", "Makefile"))) run(["configure"]);
run(debug ? ["build", "--debug"] : ["build"]);
