/** The matrix as ratios: each cell's reads per second over the baseline's in the same trial. */
import type { CellResult } from "./CellResult.js";
import { BASELINE } from "./readers.js";
import type { MatrixResult } from "./runMatrix.js";

/** `ratio` is undefined when the cell or the baseline has no number. */
export interface RatioCell {
  readonly cell: CellResult | undefined;
  readonly ratio: number | undefined;
}

export function cellOf(matrix: MatrixResult, trial: string, contender: string): CellResult | undefined {
  return matrix.cells.find((cell) => cell.trial === trial && cell.contender === contender);
}

export function ratioOf(matrix: MatrixResult, trial: string, contender: string): RatioCell {
  const cell = cellOf(matrix, trial, contender);
  const baseline = cellOf(matrix, trial, BASELINE);
  if (cell?.status !== "ok" || baseline?.status !== "ok") return { cell, ratio: undefined };
  return { cell, ratio: cell.readsPerSecond / baseline.readsPerSecond };
}
