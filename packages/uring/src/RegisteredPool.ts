/**
 * A pool of page-aligned slices of one SharedArrayBuffer, registered with the ring
 * (IORING_REGISTER_BUFFERS). Reads and writes of packets over these slices use READ_FIXED and
 * WRITE_FIXED, and they satisfy O_DIRECT's alignment. Memory comes from V8 (no external buffers).
 */
import { IoError } from "@pktio/core";
import { fromErrno } from "@pktio/core/backend";
import type { Addon, RingHandle } from "./internal/addon.js";

const PAGE = 4096;

export class RegisteredPool {
  readonly size: number;
  readonly count: number;
  readonly #memory: SharedArrayBuffer;
  readonly #base: number;
  readonly #free: number[];

  constructor(addon: Addon, ring: RingHandle, shape: { count: number; size: number }) {
    this.size = shape.size;
    this.count = shape.count;
    try {
      this.#memory = new SharedArrayBuffer(shape.count * shape.size + PAGE);
    } catch (thrown) {
      // V8's "Array buffer allocation failed": the machine cannot give that much memory.
      throw new IoError("InvalidInput", `registeredBuffers: ${shape.count} buffers of ${shape.size} bytes cannot be allocated here (${String(thrown)})`, { op: "openUring", backend: "uring", cause: thrown });
    }
    this.#base = addon.alignOffset(new Uint8Array(this.#memory), PAGE);
    const slices = Array.from({ length: shape.count }, (_, i) => this.#slice(i));
    const result = addon.registerBuffers(ring, slices);
    if (result < 0) throw new IoError("Unsupported", `registering ${shape.count} buffers of ${shape.size} bytes failed: ${fromErrno(result).message}`, { op: "registerBuffers", backend: "uring" });
    this.#free = Array.from({ length: shape.count }, (_, i) => shape.count - 1 - i);
  }

  #slice(index: number): Uint8Array {
    return new Uint8Array(this.#memory, this.#base + index * this.size, this.size);
  }

  /** A free registered slice; kind Busy when all are taken. Give it back with `release`. */
  acquire(): Uint8Array {
    const index = this.#free.pop();
    if (index === undefined) throw new IoError("Busy", `all ${this.count} registered buffers are in use`, { op: "acquire", backend: "uring" });
    return this.#slice(index);
  }

  release(bytes: Uint8Array): void {
    const index = this.indexOf(bytes);
    if (index < 0 || this.#free.includes(index)) throw new IoError("InvalidInput", "release: not a buffer taken from this pool", { op: "release", backend: "uring" });
    this.#free.push(index);
  }

  /** The registered buffer index `bytes` lies in, or -1 if it is not inside one slice of this pool. */
  indexOf(bytes: Uint8Array): number {
    if (bytes.buffer !== this.#memory) return -1;
    const offset = bytes.byteOffset - this.#base;
    if (offset < 0) return -1;
    const index = Math.floor(offset / this.size);
    return index < this.count && offset + bytes.byteLength <= (index + 1) * this.size ? index : -1;
  }
}
