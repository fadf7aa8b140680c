/**
 * Received bytes waiting for reads: the chunks a socket or pipe delivered, oldest first, and how
 * much of the oldest was already taken. Shared by the backends whose reads are filled from
 * arrived bytes (libuv's streams, the PipeChannel of libuv's and threaded's FIFOs).
 */
import { Fifo } from "../Fifo.js";

/** Received chunks, taken in order into read buffers. */
export class ChunkQueue {
  readonly #chunks = new Fifo<Uint8Array>();
  /** Bytes of the oldest chunk already taken. */
  #offset = 0;
  #bytes = 0;

  /** Bytes held, not yet taken. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Holds `chunk` (kept as it is, not copied) behind the others. */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.byteLength;
  }

  /** Copies the oldest held bytes into `dst`, as many as fit; returns how many. */
  take(dst: Uint8Array): number {
    let filled = 0;
    while (filled < dst.byteLength && this.#bytes > 0) {
      const chunk = this.#chunks.peek() as Uint8Array;
      const count = Math.min(chunk.byteLength - this.#offset, dst.byteLength - filled);
      dst.set(chunk.subarray(this.#offset, this.#offset + count), filled);
      filled += count;
      this.#bytes -= count;
      this.#offset += count;
      if (this.#offset === chunk.byteLength) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    return filled;
  }

  /** Drops every held byte. */
  clear(): void {
    this.#chunks.drain();
    this.#offset = 0;
    this.#bytes = 0;
  }
}
