/**
 * The read matrix (trial × contender, after mfio-bench), printed as a table of ratios against
 * fs.promises, or as JSON. `pnpm bench:report` runs the same and writes docs/benchmarks.md.
 * Usage: pnpm --filter @pktio/bench run matrix [--time MS] [--json] [--only seq-1,rand-65536]
 */
import { BASELINE } from "./matrix/readers.js";
import { cellOf, ratioOf } from "./matrix/ratios.js";
import { runMatrix } from "./matrix/runMatrix.js";

const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const timeMs = Number(value("--time") ?? 500);
if (!Number.isFinite(timeMs) || timeMs <= 0) {
  console.error("--time takes a positive number of milliseconds");
  process.exit(2);
}
const only = value("--only")?.split(",");
const matrix = await runMatrix({ timeMs, log: (line) => console.error(line), ...(only === undefined ? {} : { only }) });
if (args.includes("--json")) {
  console.log(JSON.stringify(matrix, null, 2));
} else {
  const rows = matrix.trials.map((trial) => {
    const row: Record<string, string> = { trial: trial.label, "in flight": String(trial.inFlight) };
    const baseline = cellOf(matrix, trial.id, BASELINE);
    row[`${BASELINE} reads/s`] = baseline?.status === "ok" ? Math.round(baseline.readsPerSecond).toLocaleString("en-US") : (baseline?.status ?? "—");
    for (const contender of matrix.contenders.filter((name) => name !== BASELINE)) {
      const { cell, ratio } = ratioOf(matrix, trial.id, contender);
      row[contender] = ratio !== undefined ? `${ratio.toFixed(2)}×` : (cell?.status ?? "—");
    }
    return row;
  });
  console.table(rows);
}
