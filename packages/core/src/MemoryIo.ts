/**
 * The in-memory reference target and backend: a growable byte store served through `sendIo`.
 * Every backend is compared with it, and users can use it as a test double. Reads past the end
 * fail the tail with UnexpectedEof; writes past the end zero-fill the gap and extend the store.
 * Completions are delivered asynchronously in batches, and `blockOn` drives them synchronously.
 */
import type { AnyView } from "./fs/FileHandle.js";
import { macrotask } from "./internal/macrotask.js";
import type { BoundPacketView } from "./BoundPacketView.js";
import { IoError } from "./IoError.js";
import { abortError } from "./IoOptions.js";
import { checkBytes, checkLength, MAX_PACKET_LENGTH, positionOrError } from "./internal/validate.js";
import { z } from "zod";
import { parseOptions } from "./options.js";
import type { IoBackend, PacketIo, PollingHandle, Pos } from "./PacketIo.js";
import type { Read, Write } from "./Perm.js";

export const MemoryIoOptions = z.strictObject({
  /** When queued completions run: "microtask" (same tick, default) or "macrotask" (setImmediate). */
  delivery: z.enum(["microtask", "macrotask"]).default("microtask"),
  /** Largest size the store may grow to, in bytes; writes beyond fail with kind NoSpace. */
  maxSize: z.number().int().min(0).max(MAX_PACKET_LENGTH).default(MAX_PACKET_LENGTH),
});
export type MemoryIoOptions = z.input<typeof MemoryIoOptions>;


export class MemoryIo implements PacketIo<Write, Pos>, PacketIo<Read, Pos>, IoBackend {
  readonly name = "memory";
  #store: Uint8Array;
  #size: number;
  #closed = false;
  #scheduled = false;
  // Submission queue as parallel arrays: positions and views in sendIo order.
  #positions: number[] = [];
  #views: AnyView[] = [];
  readonly #options: z.output<typeof MemoryIoOptions>;
  readonly #drain = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  /** Starts with a copy of `initial` (or empty). */
  constructor(initial?: Uint8Array, options?: MemoryIoOptions) {
    this.#options = parseOptions(MemoryIoOptions, options, "MemoryIo options");
    const bytes = initial === undefined ? new Uint8Array(0) : checkBytes(initial, "initial", "MemoryIo");
    if (bytes.byteLength > this.#options.maxSize) throw new IoError("InvalidInput", `initial is larger than maxSize ${this.#options.maxSize}`, { op: "MemoryIo" });
    this.#store = new Uint8Array(bytes);
    this.#size = bytes.byteLength;
  }

  /** MemoryIo is its own backend. */
  get backend(): this {
    return this;
  }

  /** Current length of the stored bytes. */
  get size(): number {
    return this.#size;
  }

  /** Packets sent and not yet settled. */
  get inFlight(): number {
    return this.#views.length;
  }

  /** A copy of the stored bytes. */
  snapshot(): Uint8Array {
    return this.#store.slice(0, this.#size);
  }

  /** Sets the size; shrinking forgets the tail, growing zero-fills. */
  truncate(length: number): void {
    checkLength(length, "length", this.#options.maxSize, "truncate");
    if (length < this.#size) this.#store.fill(0, length, this.#size);
    else this.#reserve(length);
    this.#size = length;
  }

  sendIo(pos: Pos, view: AnyView): void {
    if (this.#closed) return view.fail(new IoError("Closed", "MemoryIo is closed", { op: "sendIo", backend: this.name }));
    const position = positionOrError(pos, { op: "sendIo", backend: this.name });
    if (typeof position !== "number") return view.fail(position);
    if (view.perm.backendWrites === view.perm.backendReads) {
      return view.fail(new IoError("InvalidInput", "a ReadWrite packet has no single direction here; use Packet.alloc(n, Write) to read or Read to write", { op: "sendIo", backend: this.name }));
    }
    // Like every backend, it refuses to start a piece whose signal has already fired (design.md §7).
    const signal = view.packet.signal;
    if (signal?.aborted === true) return view.fail(abortError(signal, view.perm.backendWrites ? "read" : "write", this.name));
    this.#positions.push(position);
    this.#views.push(view);
    if (!this.#scheduled) {
      this.#scheduled = true;
      if (this.#options.delivery === "microtask") queueMicrotask(this.#drain);
      else macrotask(this.#drain, false);
    }
  }

  pollingHandle(): PollingHandle | null {
    return null;
  }

  /** Serves queued packets on this thread until `isDone()`; throws if that cannot happen. */
  blockOn(isDone: () => boolean): void {
    while (!isDone()) {
      if (this.#views.length === 0) {
        throw new IoError("Busy", "blockOn: MemoryIo has nothing queued, yet the awaited packet has not settled", { op: "blockOn", backend: this.name });
      }
      this.#flush();
    }
  }

  /** Serves what is queued, then refuses new packets with kind Closed. */
  close(): Promise<void> {
    this.#flush();
    this.#closed = true;
    return Promise.resolve();
  }

  #flush(): void {
    const positions = this.#positions;
    const views = this.#views;
    this.#positions = [];
    this.#views = [];
    for (let i = 0; i < views.length; i++) {
      const view = views[i] as AnyView;
      const op = view.perm.backendWrites ? "read" : "write";
      // A piece starts here, not in sendIo: a signal fired meanwhile cancels it, and a buffer
      // transferred away meanwhile (detached, length 0) fails it instead of throwing in the copy.
      const signal = view.packet.signal;
      if (signal?.aborted === true) {
        view.fail(abortError(signal, op, this.name));
        continue;
      }
      if (view.packet.bytes.byteLength < view.start + view.length) {
        view.fail(new IoError("InvalidInput", `${op}: the buffer was detached while the ${op} was in flight`, { op, backend: this.name }));
        continue;
      }
      if (view.perm.backendWrites) this.#read(positions[i] as number, view as BoundPacketView<Write>);
      else this.#write(positions[i] as number, view as BoundPacketView<Read>);
    }
  }

  /** Store → packet. The part past the end fails with UnexpectedEof. */
  #read(pos: number, view: BoundPacketView<Write>): void {
    const available = Math.max(0, this.#size - pos);
    if (available === 0 && view.length > 0) {
      return view.fail(new IoError("UnexpectedEof", `read at ${pos} is at or past the end (${this.#size})`, { op: "read", backend: this.name }));
    }
    let inside = view;
    if (available < view.length) {
      const [head, tail] = view.splitAt(available);
      inside = head;
      tail.fail(new IoError("UnexpectedEof", `read reaches past the end (${this.#size}) at ${pos + available}`, { op: "read", backend: this.name }));
    }
    copy(this.#store, pos, inside.packet.bytes, inside.start, inside.length);
    inside.complete();
  }

  /** Packet → store, growing it (zero-filled) as needed. An empty write changes nothing, as pwrite's. */
  #write(pos: number, view: BoundPacketView<Read>): void {
    if (view.length === 0) return view.complete();
    const end = pos + view.length;
    if (end > this.#options.maxSize) {
      return view.fail(new IoError("NoSpace", `write to ${end} exceeds maxSize ${this.#options.maxSize}`, { op: "write", backend: this.name }));
    }
    this.#reserve(end);
    copy(view.packet.bytes, view.start, this.#store, pos, view.length);
    if (end > this.#size) this.#size = end;
    view.complete();
  }

  #reserve(length: number): void {
    if (length <= this.#store.byteLength) return;
    const capacity = Math.min(this.#options.maxSize, Math.max(length, this.#store.byteLength * 2, 64));
    const grown = new Uint8Array(capacity);
    grown.set(this.#store.subarray(0, this.#size));
    this.#store = grown;
  }
}

/** Short copies by hand: a subarray for a few bytes costs more than the copy itself. */
function copy(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number, length: number): void {
  if (length <= 32) {
    for (let i = 0; i < length; i++) to[toOffset + i] = from[fromOffset + i] as number;
  } else {
    to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
  }
}
