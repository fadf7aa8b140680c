/**
 * An output that turns a packet's settlements into an async iterator of segments, which ends
 * when the last segment settles. Pass it as the `output` of `io()`.
 */
import type { PacketOutput, PacketResult, PacketSegment } from "./PacketOutput.js";

export class SegmentStream implements PacketOutput, AsyncIterableIterator<PacketSegment> {
  #queue: PacketSegment[] = [];
  #head = 0;
  #done = false;
  #wake: ((value: IteratorResult<PacketSegment>) => void) | undefined = undefined;
  #result: PacketResult | undefined = undefined;

  /** The packet's result once its last segment settled. */
  get result(): PacketResult | undefined {
    return this.#result;
  }

  onSegment(segment: PacketSegment): void {
    const wake = this.#wake;
    if (wake !== undefined) {
      this.#wake = undefined;
      wake({ value: segment, done: false });
    } else {
      this.#queue.push(segment);
    }
  }

  onDone(result: PacketResult): void {
    this.#result = result;
    this.#done = true;
    const wake = this.#wake;
    if (wake !== undefined) {
      this.#wake = undefined;
      wake({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<PacketSegment>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head++] as PacketSegment;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#wake !== undefined) throw new TypeError("SegmentStream: next() called again before the previous call resolved");
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
