/**
 * `pnpm bench:report`: runs the read matrix and writes its section of docs/benchmarks.md (between
 * the matrix markers; the rest of the page is kept) and the chart docs/benchmarks-matrix.svg.
 * Usage: pnpm bench:report [--time MS]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderMarkdown, replaceSection } from "./matrix/renderMarkdown.js";
import { renderSvg } from "./matrix/renderSvg.js";
import { runMatrix } from "./matrix/runMatrix.js";

const CHART = "benchmarks-matrix.svg";
const page = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
const chart = fileURLToPath(new URL(`../../docs/${CHART}`, import.meta.url));

const args = process.argv.slice(2);
const timeIndex = args.indexOf("--time");
const timeMs = timeIndex >= 0 ? Number(args[timeIndex + 1]) : 500;
if (!Number.isFinite(timeMs) || timeMs <= 0) {
  console.error("--time takes a positive number of milliseconds");
  process.exit(2);
}

const matrix = await runMatrix({ timeMs, log: (line) => console.error(line) });
writeFileSync(chart, renderSvg(matrix));
writeFileSync(page, replaceSection(readFileSync(page, "utf8"), renderMarkdown(matrix, CHART)));
const failed = matrix.cells.filter((cell) => cell.status === "error").length;
console.error(`wrote ${page} and ${chart}${failed > 0 ? ` (${failed} cells failed)` : ""}`);
process.exitCode = failed > 0 ? 1 : 0;
