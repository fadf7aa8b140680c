/**
 * Watches packets settle, for the property test: an output per packet that records each
 * segment and the final result, and reports every breach of "each piece settles exactly once":
 * a byte settled twice, a segment after the packet's result, a result that arrives twice or
 * never, a result that disagrees with its segments (mfio's error clamp).
 */
import type { IoError, PacketOutput, PacketResult, PacketSegment } from "@pktio/core";

/** One packet under watch. */
export class WatchedPacket implements PacketOutput {
  readonly label: string;
  readonly length: number;
  readonly segments: PacketSegment[] = [];
  results = 0;
  result: PacketResult | undefined = undefined;
  readonly #ledger: SettlementLedger;
  readonly #onSegment: ((segment: PacketSegment) => void) | undefined;

  constructor(ledger: SettlementLedger, label: string, length: number, onSegment?: (segment: PacketSegment) => void) {
    this.#ledger = ledger;
    this.label = label;
    this.length = length;
    this.#onSegment = onSegment;
  }

  onSegment(segment: PacketSegment): void {
    const { start, end } = segment;
    if (this.results > 0) this.#ledger.report(`${this.label}: segment [${start}, ${end}) settled after the packet's result`);
    if (!(start >= 0 && end <= this.length && (end > start || (this.length === 0 && end === start)))) {
      this.#ledger.report(`${this.label}: segment [${start}, ${end}) is not a piece of a ${this.length}-byte packet`);
    }
    const twice = this.segments.find((seen) => (seen.start < end && start < seen.end) || (this.length === 0 && seen.start === start));
    if (twice !== undefined) this.#ledger.report(`${this.label}: bytes [${Math.max(start, twice.start)}, ${Math.min(end, twice.end)}) settled twice`);
    this.segments.push(segment);
    this.#onSegment?.(segment);
  }

  onDone(result: PacketResult): void {
    this.results++;
    if (this.results > 1) {
      this.#ledger.report(`${this.label}: the packet's result arrived ${this.results} times`);
      return;
    }
    this.result = result;
    const covered = this.segments.reduce((sum, segment) => sum + (segment.end - segment.start), 0);
    // The deadline contract (design.md §7): an abort or a deadline answers the caller at once with
    // { transferred: 0, error }, while pieces the OS still holds settle later, out of the caller's
    // sight (any segment after this result is still a breach, reported by onSegment).
    const early = result.transferred === 0 && (result.error?.kind === "Aborted" || result.error?.kind === "TimedOut") && (covered < this.length || this.segments.length === 0);
    if (early) return;
    if (covered !== this.length || (this.length === 0 && this.segments.length !== 1)) {
      this.#ledger.report(`${this.label}: the result came with ${covered} of ${this.length} bytes settled (${this.segments.length} segments)`);
    }
    const failed = this.segments.filter((segment) => segment.error !== undefined).sort((a, b) => a.start - b.start)[0];
    const transferred = failed === undefined ? this.length : failed.start;
    if (result.transferred !== transferred || result.error !== (failed?.error as IoError | undefined)) {
      this.#ledger.report(`${this.label}: result {transferred ${result.transferred}, ${result.error?.kind ?? "no error"}} disagrees with its segments (lowest failure at ${failed?.start ?? "none"})`);
    }
  }
}

/** Every packet of one property run, and what went wrong with them. */
export class SettlementLedger {
  readonly #packets: WatchedPacket[] = [];
  readonly violations: string[] = [];

  /** A new output to give `io()`; `onSegment` sees each segment after it was checked. */
  watch(label: string, length: number, onSegment?: (segment: PacketSegment) => void): WatchedPacket {
    const packet = new WatchedPacket(this, label, length, onSegment);
    this.#packets.push(packet);
    return packet;
  }

  report(violation: string): void {
    this.violations.push(violation);
  }

  /** Packets without a result yet, by label. */
  unsettled(): string[] {
    return this.#packets.filter((packet) => packet.results === 0).map((packet) => packet.label);
  }
}
