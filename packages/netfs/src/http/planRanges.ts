/**
 * How waiting views become requests: sorted by position, a view joins the request before it when
 * the gap between them is at most `coalesceGap` and the request stays within `maxRequestBytes`.
 * Views may overlap (two reads of the same bytes share the request). The requests are returned
 * oldest first (by the earliest arrival among their views), so no view starves behind newer ones.
 */

/** A view's place in the file, as the planner sees it. */
export interface Placed {
  /** File position of the first byte. */
  readonly pos: number;
  readonly length: number;
  /** Arrival order, for fairness. */
  readonly seq: number;
}

/** One planned request: `[start, end)` of the file, and the views it serves in position order. */
export interface PlannedRange<T extends Placed> {
  readonly start: number;
  readonly end: number;
  readonly parts: T[];
  /** The earliest arrival among `parts`. */
  readonly seq: number;
}

/** Groups `waiting` into requests; each view must be at most `maxRequestBytes` long already. */
export function planRanges<T extends Placed>(waiting: readonly T[], coalesceGap: number, maxRequestBytes: number): PlannedRange<T>[] {
  const sorted = [...waiting].sort((a, b) => a.pos - b.pos || a.seq - b.seq);
  const ranges: { start: number; end: number; parts: T[]; seq: number }[] = [];
  let current: { start: number; end: number; parts: T[]; seq: number } | undefined;
  for (const part of sorted) {
    const partEnd = part.pos + part.length;
    if (current !== undefined && part.pos - current.end <= coalesceGap && Math.max(current.end, partEnd) - current.start <= maxRequestBytes) {
      current.parts.push(part);
      current.end = Math.max(current.end, partEnd);
      current.seq = Math.min(current.seq, part.seq);
      continue;
    }
    current = { start: part.pos, end: partEnd, parts: [part], seq: part.seq };
    ranges.push(current);
  }
  return ranges.sort((a, b) => a.seq - b.seq);
}
