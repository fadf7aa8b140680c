/** The packet: an owned buffer, bound for one I/O at a time, and its completion state. */
import { BoundPacketView } from "./BoundPacketView.js";
import { IoError } from "./IoError.js";
import { addSegment, reportLater, settleSegment, viewToken } from "./internal/packetInternals.js";
import { checkBytes, checkLength } from "./internal/validate.js";
import type { IoOptions } from "./IoOptions.js";
import type { PacketOutput, PacketResult } from "./PacketOutput.js";
import { Write, type Perm, type PermTag } from "./Perm.js";

/**
 * An owned byte buffer plus its completion state. It is bound for one I/O at a time (`bind`
 * returns the view over all of it); the pieces it is split into settle independently and the
 * packet completes when the last one does. While it is in flight the backend owns `bytes`.
 */
export class Packet<P extends Perm = Write> {
  /** The run-time permission: which way the backend may move the bytes. */
  readonly perm: PermTag<P>;
  /** The whole buffer. While the packet is in flight the backend owns it: do not touch it. */
  readonly bytes: Uint8Array;
  readonly length: number;
  /** Unsettled views of the current I/O; 0 when idle. */
  #pending = 0;
  #bound = false;
  #failStart = Infinity;
  #error: IoError | undefined = undefined;
  #output: PacketOutput | undefined = undefined;
  #result: PacketResult | undefined = undefined;
  #options: IoOptions | undefined = undefined;

  private constructor(bytes: Uint8Array, perm: PermTag<P>) {
    this.bytes = bytes;
    this.length = bytes.byteLength;
    this.perm = perm;
  }

  /** A zero-filled packet of `length` bytes. */
  static alloc<P extends Perm = Write>(length: number, perm: PermTag<P> = Write as PermTag<P>): Packet<P> {
    checkLength(length, "length", undefined, "Packet.alloc");
    return new Packet(new Uint8Array(length), checkPerm(perm));
  }

  /** A packet over the caller's bytes, without copying; the I/O system owns them while in flight. */
  static wrap<P extends Perm = Write>(bytes: Uint8Array, perm: PermTag<P> = Write as PermTag<P>): Packet<P> {
    return new Packet(checkBytes(bytes, "bytes", "Packet.wrap"), checkPerm(perm));
  }

  /** True between `bind` and the settlement of its last piece. */
  get inFlight(): boolean {
    return this.#bound;
  }

  /** The outcome of the last completed I/O; undefined before the first one completes. */
  get result(): PacketResult | undefined {
    return this.#result;
  }

  /**
   * Starts a new I/O on this packet and returns the view over all of it, to hand to
   * `sendIo`. Throws IoError kind Busy while a previous I/O is still in flight.
   */
  bind(output?: PacketOutput, options?: IoOptions): BoundPacketView<P> {
    if (this.#bound) throw new IoError("Busy", "packet is already in flight; wait for its result before sending it again", { op: "bind" });
    if (this.bytes.byteLength !== this.length) {
      throw new IoError("InvalidInput", "packet's buffer was detached", { op: "bind" });
    }
    this.#bound = true;
    this.#pending = 1;
    this.#failStart = Infinity;
    this.#error = undefined;
    this.#output = output;
    this.#options = options;
    this.#result = undefined;
    return new BoundPacketView(viewToken, this, 0, this.length);
  }

  /** The current I/O's abort signal, if it was given one. */
  get signal(): AbortSignal | undefined {
    return this.#options?.signal;
  }

  /** The current I/O's deadline in milliseconds, if it was given one. */
  get timeoutMs(): number | undefined {
    return this.#options?.timeoutMs;
  }

  /** A view was split in two: one more piece to wait for. */
  [addSegment](): void {
    this.#pending++;
  }

  [settleSegment](start: number, end: number, error: IoError | undefined): void {
    if (error !== undefined && start < this.#failStart) {
      this.#failStart = start;
      this.#error = error;
    }
    const output = this.#output;
    if (output?.onSegment !== undefined) {
      try {
        output.onSegment({ start, end, error });
      } catch (thrown) {
        reportLater(thrown);
      }
    }
    if (--this.#pending === 0) this.#finish();
  }

  #finish(): void {
    const result: PacketResult = { transferred: Math.min(this.#failStart, this.length), error: this.#error };
    const output = this.#output;
    this.#result = result;
    this.#output = undefined;
    this.#options = undefined;
    this.#error = undefined;
    // Unbind before notifying so that onDone may send the packet again.
    this.#bound = false;
    if (output !== undefined) {
      try {
        output.onDone(result);
      } catch (thrown) {
        reportLater(thrown);
      }
    }
  }
}

function checkPerm<P extends Perm>(perm: PermTag<P>): PermTag<P> {
  if (typeof perm !== "object" || perm === null || typeof perm.backendWrites !== "boolean") {
    throw new TypeError("perm must be Write, Read or ReadWrite from @pktio/core");
  }
  return perm;
}
