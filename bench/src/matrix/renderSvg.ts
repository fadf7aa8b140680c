/**
 * The matrix as a hand-written SVG chart: one group of bars per trial, one bar per contender
 * other than the baseline, drawn from the 1× line (fs.promises) up or down on a log2 scale, so
 * that 2× faster and 2× slower are the same length. Each bar has a <title> with its numbers.
 */
import { BASELINE } from "./readers.js";
import { ratioOf } from "./ratios.js";
import type { MatrixResult } from "./runMatrix.js";

const COLORS: Record<string, string> = {
  "fs.read": "#9e9e9e",
  "fs.readSync": "#5f5f5f",
  uring: "#1f6fb4",
  libuv: "#2c9c3c",
  threaded: "#e8811a",
};
const SPARE = ["#8e44ad", "#c0392b", "#16a085"];

const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderSvg(matrix: MatrixResult): string {
  const contenders = matrix.contenders.filter((contender) => contender !== BASELINE);
  const color = (contender: string, index: number): string => COLORS[contender] ?? SPARE[index % SPARE.length]!;
  const ratios = matrix.trials.flatMap((trial) => contenders.map((contender) => ratioOf(matrix, trial.id, contender).ratio)).filter((ratio): ratio is number => ratio !== undefined && ratio > 0);
  const low = Math.min(-1, Math.floor(Math.log2(Math.min(...ratios, 1))));
  const high = Math.max(1, Math.ceil(Math.log2(Math.max(...ratios, 1))));

  const width = 960;
  const height = 480;
  const left = 64;
  const right = 16;
  const top = 80;
  const bottom = 64;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const y = (ratio: number): number => top + ((high - Math.log2(ratio)) / (high - low)) * plotHeight;
  const groupWidth = plotWidth / matrix.trials.length;
  const barWidth = Math.min(22, (groupWidth * 0.8) / Math.max(1, contenders.length));

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="20" font-size="14" font-weight="600">Reads per second relative to ${BASELINE} (log scale; higher is better)</text>`);
  const { machine } = matrix;
  parts.push(`<text x="${left}" y="38" fill="#555">${escape(`Linux ${machine.kernel}, ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}`)}</text>`);
  // Legend, on a row of its own under the title: the 1× line, then one swatch per contender.
  const legendY = 58;
  parts.push(`<line x1="${left}" x2="${left + 18}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="#333" stroke-width="1.5"/>`);
  parts.push(`<text x="${left + 24}" y="${legendY}">${BASELINE} = 1×</text>`);
  let legendX = left + 24 + (BASELINE.length + 5) * 7 + 20;
  for (const [index, contender] of contenders.entries()) {
    parts.push(`<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${color(contender, index)}"/>`);
    parts.push(`<text x="${legendX + 16}" y="${legendY}">${escape(contender)}</text>`);
    legendX += contender.length * 7 + 36;
  }
  // Grid: one line per power of two.
  for (let exponent = low; exponent <= high; exponent++) {
    const ratio = 2 ** exponent;
    const lineY = y(ratio).toFixed(1);
    const label = ratio >= 1 ? `${ratio}×` : `1/${2 ** -exponent}×`;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${lineY}" y2="${lineY}" stroke="${exponent === 0 ? "#333" : "#e3e3e3"}" stroke-width="${exponent === 0 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${left - 8}" y="${lineY}" dy="4" text-anchor="end" fill="#555">${label}</text>`);
  }
  for (const [group, trial] of matrix.trials.entries()) {
    const groupX = left + group * groupWidth;
    const barsX = groupX + (groupWidth - barWidth * contenders.length) / 2;
    for (const [index, contender] of contenders.entries()) {
      const { cell, ratio } = ratioOf(matrix, trial.id, contender);
      const x = (barsX + index * barWidth).toFixed(1);
      if (ratio === undefined || ratio <= 0) {
        parts.push(`<text x="${(barsX + (index + 0.5) * barWidth).toFixed(1)}" y="${(y(1) - 4).toFixed(1)}" text-anchor="middle" fill="#c0392b">×<title>${escape(`${trial.label}, ${contender}: ${cell?.status === "ok" || cell === undefined ? "no number" : cell.reason}`)}</title></text>`);
        continue;
      }
      const from = y(1);
      const to = y(ratio);
      const rate = cell?.status === "ok" ? ` (${Math.round(cell.readsPerSecond).toLocaleString("en-US")} reads/s)` : "";
      parts.push(
        `<rect x="${x}" y="${Math.min(from, to).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${Math.max(1, Math.abs(to - from)).toFixed(1)}" fill="${color(contender, index)}"><title>${escape(`${trial.label}, ${contender}: ${ratio.toFixed(2)}×${rate}`)}</title></rect>`,
      );
    }
    // Two short lines fit under a group where the whole label would not.
    const [pattern, ...size] = trial.label.split(" ");
    parts.push(`<text x="${(groupX + groupWidth / 2).toFixed(1)}" y="${height - bottom + 20}" text-anchor="middle">${escape(pattern ?? "")}</text>`);
    parts.push(`<text x="${(groupX + groupWidth / 2).toFixed(1)}" y="${height - bottom + 36}" text-anchor="middle" fill="#555">${escape(`${size.join(" ")} × ${trial.inFlight}`)}</text>`);
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
