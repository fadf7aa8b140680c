/** The packet: an owned buffer, bound for one I/O at a time, and its completion state. */
import { PACKET_BRAND } from "./internal/notAPacket.js";
import { BoundPacketView } from "./BoundPacketView.js";
import { IoError } from "./IoError.js";
import { Deadline } from "./internal/Deadline.js";
import { addSegment, bindTo, reportLater, settleSegment, viewToken } from "./internal/packetInternals.js";
import { checkLength, checkShared } from "./internal/validate.js";
import type { IoOptions } from "./IoOptions.js";
import type { PacketOutput, PacketResult } from "./PacketOutput.js";
import { Write, type Perm, type PermTag } from "./Perm.js";

/**
 * An owned byte buffer plus its completion state. It is bound for one I/O at a time (`bind`
 * returns the view over all of it); the pieces it is split into settle independently and the
 * packet completes when the last one does. While it is in flight the backend owns `bytes`.
 */
export class Packet<P extends Perm = Write> {
  /** Tells a Packet of another copy of @pktio/core from any other value (see notAPacket). */
  get [PACKET_BRAND](): true {
    return true;
  }
  /** The run-time permission: which way the backend may move the bytes. */
  readonly perm: PermTag<P>;
  /** The whole buffer. While the packet is in flight the backend owns it: do not touch it. */
  readonly bytes: Uint8Array;
  readonly length: number;
  /**
   * The bytes are over a SharedArrayBuffer, which no caller can detach: a backend may hand them to
   * the kernel as they are instead of through memory of its own.
   */
  readonly shared: boolean;
  /** Unsettled views of the current I/O; 0 when idle. */
  #pending = 0;
  #bound = false;
  /** Start of the lowest failed piece; meaningful only while #error is set (a small integer, never a boxed Infinity). */
  #failStart = 0;
  #error: IoError | undefined = undefined;
  /** Who hears of the current I/O: an output, or (from `io()`, no object needed) its onDone alone. */
  #output: PacketOutput | OnDone | undefined = undefined;
  #result: PacketResult | undefined = undefined;
  /**
   * What only some I/Os need (a deadline, an early answer, a `released` waiter), allocated on first
   * use: at depth every field of a packet costs memory the garbage collector copies (issue 15).
   */
  #rare: Rare | undefined = undefined;

  private constructor(bytes: Uint8Array, perm: PermTag<P>, shared: boolean) {
    this.bytes = bytes;
    this.length = bytes.byteLength;
    this.perm = perm;
    this.shared = shared;
  }

  /** A zero-filled packet of `length` bytes. */
  static alloc<P extends Perm = Write>(length: number, perm: PermTag<P> = Write as PermTag<P>): Packet<P> {
    checkLength(length, "length", undefined, "Packet.alloc");
    return new Packet(new Uint8Array(length), checkPerm(perm), false);
  }

  /** A packet over the caller's bytes, without copying; the I/O system owns them while in flight. */
  static wrap<P extends Perm = Write>(bytes: Uint8Array, perm: PermTag<P> = Write as PermTag<P>): Packet<P> {
    const shared = checkShared(bytes, "bytes", "Packet.wrap");
    return new Packet(bytes, checkPerm(perm), shared);
  }

  /**
   * @internal `wrap` for bytes the caller already passed through `checkShared` (its answer is
   * `shared`) and a perm it knows: core's one-request helpers, which check with their own
   * operation's name (one check per read, not two: the buffer lookups cost about 0.1 µs a read).
   */
  static wrapChecked<P extends Perm>(bytes: Uint8Array, perm: PermTag<P>, shared: boolean): Packet<P> {
    return new Packet(bytes, perm, shared);
  }

  /**
   * True between `bind` and the settlement of its last piece by the backend. It stays true after an
   * abort or deadline has settled the caller's promise early, until the OS has let go of the buffer.
   */
  get inFlight(): boolean {
    return this.#bound;
  }

  /**
   * Resolves when the backend has settled every piece of the current I/O (at once when idle),
   * with what the OS actually did: after an early Aborted/TimedOut result this says how many
   * bytes really moved. Until then the buffer is not the caller's (design.md §7).
   */
  get released(): Promise<PacketResult | undefined> {
    if (!this.#bound) return Promise.resolve(this.#rare?.released ?? this.#result);
    const rare = (this.#rare ??= newRare());
    return new Promise((resolve) => (rare.waiters ??= []).push(resolve));
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
    return this[bindTo](output, options, undefined);
  }

  /** `bind`, for `io()` also with a bare onDone function (one object less per operation). */
  /** `backend`: the target's backend name, which a deadline's or abort's error names. */
  [bindTo](output: PacketOutput | ((result: PacketResult) => void) | undefined, options: IoOptions | undefined, backend: string | undefined): BoundPacketView<P> {
    if (this.#bound) throw new IoError("Busy", "packet is already in flight; wait for its result before sending it again", { op: "bind" });
    if (this.bytes.byteLength !== this.length) {
      throw new IoError("InvalidInput", "packet's buffer was detached", { op: "bind" });
    }
    this.#bound = true;
    this.#pending = 1;
    this.#failStart = 0;
    this.#error = undefined;
    this.#output = output;
    this.#result = undefined;
    const rare = this.#rare;
    if (rare !== undefined) {
      rare.settledEarly = false;
      rare.released = undefined;
      rare.timeoutMs = undefined;
    }
    if (options !== undefined && (options.signal !== undefined || options.timeoutMs !== undefined)) {
      const watched = (this.#rare ??= newRare());
      watched.timeoutMs = options.timeoutMs;
      // A closure only for I/Os with a deadline: a per-packet arrow field costs a closure, its
      // context and (with the bundle's keepNames) a dictionary of properties on every packet.
      watched.deadline = new Deadline(options, this.perm.backendWrites ? "read" : "write", backend, (error) => this.#settleEarly(error));
    }
    return new BoundPacketView(viewToken, this, 0, this.length);
  }

  /**
   * The current I/O's abort signal, if it was given a signal or a deadline: it fires when the
   * caller's signal does or the deadline passes (reason: an IoError Aborted or TimedOut), so a
   * backend checks and watches one signal to drop or cancel pieces.
   */
  get signal(): AbortSignal | undefined {
    return this.#rare?.deadline?.signal;
  }

  /** The current I/O's deadline in milliseconds, if it was given one. */
  get timeoutMs(): number | undefined {
    return this.#rare?.timeoutMs;
  }

  /** A view was split in two: one more piece to wait for. */
  [addSegment](): void {
    this.#pending++;
  }

  [settleSegment](start: number, end: number, error: IoError | undefined): void {
    if (error !== undefined && (this.#error === undefined || start < this.#failStart)) {
      this.#failStart = start;
      this.#error = error;
    }
    // After an early settlement #output is cleared: late pieces only release the buffer.
    const output = this.#output;
    if (typeof output === "object" && output.onSegment !== undefined) {
      try {
        output.onSegment({ start, end, error });
      } catch (thrown) {
        reportLater(thrown);
      }
    }
    if (--this.#pending === 0) this.#finish();
  }

  /**
   * The abort or deadline fired with pieces still out: the caller hears now (nothing counted as
   * transferred), the packet stays in flight until the backend settles the rest.
   */
  #settleEarly(error: IoError): void {
    const rare = this.#rare as Rare; // the deadline that calls this lives there
    if (!this.#bound || rare.settledEarly || this.#pending === 0) return;
    rare.settledEarly = true;
    const result: PacketResult = { transferred: 0, error };
    const output = this.#output;
    this.#result = result;
    this.#output = undefined;
    lendUntilReleased(this.bytes, this.released);
    if (output !== undefined) notify(output, result);
  }

  #finish(): void {
    const result: PacketResult = { transferred: this.#error === undefined ? this.length : Math.min(this.#failStart, this.length), error: this.#error };
    // After an early settlement #output is cleared and #result keeps the caller's answer.
    const output = this.#output;
    this.#output = undefined;
    this.#error = undefined;
    const rare = this.#rare;
    let waiters: ((result: PacketResult) => void)[] | undefined;
    if (rare === undefined || !rare.settledEarly) this.#result = result;
    if (rare !== undefined) {
      if (rare.settledEarly) rare.released = result;
      rare.deadline?.dispose();
      rare.deadline = undefined;
      rare.timeoutMs = undefined;
      waiters = rare.waiters;
      rare.waiters = undefined;
    }
    // Unbind before notifying so that onDone may send the packet again.
    this.#bound = false;
    if (waiters !== undefined) for (const wake of waiters) wake(result);
    if (output !== undefined) notify(output, result);
  }
}

/** The onDone of `io()`'s promise, passed without an output object around it. */
type OnDone = (result: PacketResult) => void;

/** See `Packet.#rare`. */
interface Rare {
  /** The current I/O's abort/deadline watcher; only when it has a signal or a timeout. */
  deadline: Deadline | undefined;
  timeoutMs: number | undefined;
  /** True once the caller was told (early, by an abort or deadline) while pieces are still out. */
  settledEarly: boolean;
  /** What the OS did with the last I/O when it differs from `result` (an early answer). */
  released: PacketResult | undefined;
  waiters: ((result: PacketResult) => void)[] | undefined;
}

function newRare(): Rare {
  return { deadline: undefined, timeoutMs: undefined, settledEarly: false, released: undefined, waiters: undefined };
}

/** Calls the output's onDone; a throw from user code is re-raised later, never into the backend. */
function notify(output: PacketOutput | OnDone, result: PacketResult): void {
  try {
    if (typeof output === "function") output(result);
    else output.onDone(result);
  } catch (thrown) {
    reportLater(thrown);
  }
}

/** Buffers lent to the OS past an early settlement: each maps to a promise that resolves when all are back. */
const lent = new WeakMap<ArrayBufferLike, Promise<unknown>>();

function lendUntilReleased(bytes: Uint8Array, released: Promise<unknown>): void {
  const before = lent.get(bytes.buffer);
  lent.set(bytes.buffer, before === undefined ? released : Promise.all([before, released]));
}

/**
 * Resolves once the OS has let go of `bytes`' buffer: every operation on it whose caller was
 * answered early (Aborted, TimedOut) has been settled by its backend. The rule for helpers that
 * take the caller's buffer (`readAt(pos, dst)`, `writeAt(pos, src)`): after such an error, await
 * this before reusing the buffer; it is immediate when nothing was outstanding.
 */
export function whenReleased(bytes: Uint8Array): Promise<void> {
  if (!(bytes instanceof Uint8Array)) return Promise.reject(new TypeError("whenReleased: bytes must be a Uint8Array"));
  const pending = lent.get(bytes.buffer);
  return pending === undefined ? Promise.resolve() : pending.then(() => undefined);
}

function checkPerm<P extends Perm>(perm: PermTag<P>): PermTag<P> {
  if (typeof perm !== "object" || perm === null || typeof perm.backendWrites !== "boolean") {
    throw new TypeError("perm must be Write, Read or ReadWrite from @pktio/core");
  }
  return perm;
}
