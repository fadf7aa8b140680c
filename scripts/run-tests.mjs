#!/usr/bin/env node
// Runs the whole vitest suite and ends with one plain line, "tests: N passed, N failed, N skipped",
// that CI reads. Arguments are passed to vitest; the exit code is vitest's.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "pktio-vitest-"));
const report = join(dir, "results.json");
const run = spawnSync("vitest", ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  stdio: "inherit",
  shell: false,
});
let summary = "tests: no report (vitest did not finish)";
try {
  const results = JSON.parse(readFileSync(report, "utf8"));
  const skipped = results.numPendingTests + results.numTodoTests;
  summary = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`;
  if (results.numTotalTests === 0) summary += " (no test ran)";
} catch {
  // The summary line above says there was no report.
}
rmSync(dir, { recursive: true, force: true });
console.log(summary);
process.exit(run.status ?? 1);
