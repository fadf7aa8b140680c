/**
 * The base of every stream-like target (TCP sockets, `MemoryStream`). Packets are sent with
 * `NoPos` and served in order. A read packet completes with the bytes that have arrived (at least
 * one) and fails the rest with kind WouldBlock; at end of stream the whole packet fails with
 * UnexpectedEof. A write packet completes when the kernel accepted all of it.
 *
 * Deadlines: every method takes the per-operation options (`signal`, `timeoutMs`), and the stream
 * has one connection deadline (`setDeadline`) that every method call watches — one timer per
 * connection, however many operations, re-armed by each `setDeadline`. Backends honour both the
 * same way, through `view.packet.signal`: a read still queued when it fires leaves the queue
 * without consuming bytes, so the next read gets them (design.md §8).
 */
import type { BoundPacketView } from "../BoundPacketView.js";
import { io } from "../io.js";
import { IoError } from "../IoError.js";
import { ioSync } from "../IoProgram.js";
import { abortError, checkIoOptions, MAX_TIMEOUT_MS, type IoOptions } from "../IoOptions.js";
import { checkBytes, checkLength } from "../internal/validate.js";
import { Packet } from "../Packet.js";
import type { PacketResult } from "../PacketOutput.js";
import { NoPos, type IoBackend, type PacketIo } from "../PacketIo.js";
import { Read, Write } from "../Perm.js";
import { ChunkQueue } from "./ChunkQueue.js";
import { settleShortRead } from "./settleShortRead.js";

export type AnyStreamView = BoundPacketView<Write> | BoundPacketView<Read>;
export type ShutdownHow = "read" | "write" | "both";

export interface SocketAddress {
  readonly host: string;
  readonly port: number;
  readonly family: "IPv4" | "IPv6";
}

/** The largest connection deadline: setTimeout's limit (about 24.8 days). */
/** The longest connection deadline: the timer limit, as for `timeoutMs`. */
export const MAX_DEADLINE_MS = MAX_TIMEOUT_MS;

export abstract class ByteStream implements PacketIo<Write, NoPos>, PacketIo<Read, NoPos> {
  abstract readonly backend: IoBackend;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;
  /** The connection deadline's signal; replaced only after it fired, so pending calls keep theirs. */
  #deadline: AbortController | undefined = undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the connection deadline passes (`performance.now()` time): what bounds a sync call. */
  #deadlineDue: number | undefined = undefined;
  /**
   * Bytes a failed `readExact` had already taken from the stream: the next reads get them before
   * anything the backend delivers, so a timed-out or aborted `readExact` loses nothing.
   */
  #unread: ChunkQueue | undefined = undefined;

  get closed(): boolean {
    return this.#closed;
  }

  sendIo(param: NoPos, view: AnyStreamView): void {
    const op = view.perm.backendWrites ? "read" : "write";
    if (param !== NoPos) return view.fail(new IoError("InvalidInput", "a stream takes NoPos as its parameter", { op: "sendIo", backend: this.backend.name }));
    if (this.#closed) return view.fail(new IoError("Closed", "stream is closed", { op: "sendIo", backend: this.backend.name }));
    if (view.perm.backendWrites === view.perm.backendReads) {
      return view.fail(new IoError("InvalidInput", "a ReadWrite packet has no single direction for a stream", { op: "sendIo", backend: this.backend.name }));
    }
    // Every stream refuses to start a piece whose signal (or the connection deadline) has fired.
    const signal = view.packet.signal;
    if (signal?.aborted === true) return view.fail(abortError(signal, op, this.backend.name));
    const unread = this.#unread;
    if (unread !== undefined && view.perm.backendWrites && view.length > 0) {
      const read = view as BoundPacketView<Write>;
      const count = unread.take(read.bytes());
      if (unread.bytes === 0) this.#unread = undefined;
      if (count > 0) return settleShortRead(read, count, this.backend.name);
    }
    this.submit(view);
  }

  /**
   * A `readExact` failed after taking `filled` bytes of `dst`: they are copied (the caller may
   * reuse `dst`) and served again, ahead of what is still held, to the next reads.
   */
  #keepUnread(dst: Uint8Array, filled: number): void {
    // A detached dst took its bytes with it (to whoever it was transferred to): nothing to copy.
    if (filled === 0 || this.#closed || dst.byteLength < filled) return;
    const kept = new ChunkQueue();
    kept.push(dst.slice(0, filled));
    const rest = this.#unread;
    if (rest !== undefined && rest.bytes > 0) {
      const held = new Uint8Array(rest.bytes);
      rest.take(held);
      kept.push(held);
    }
    this.#unread = kept;
  }

  /**
   * Queues a checked view; reads and writes each keep their order. A queued read whose
   * `view.packet.signal` fires must leave the queue (failed with the signal's reason) before
   * any byte is copied into it.
   */
  protected abstract submit(view: AnyStreamView): void;
  protected abstract closeStream(): Promise<void>;
  abstract shutdown(how: ShutdownHow): Promise<void>;
  abstract readonly localAddress: SocketAddress | undefined;
  abstract readonly remoteAddress: SocketAddress | undefined;

  /**
   * Sets the connection deadline: every read and write call pending or made within the next
   * `ms` milliseconds fails with kind TimedOut once they pass; `null` clears it. Each call
   * replaces the previous deadline (pending calls get the new one), so an idle timeout is one
   * `setDeadline(idleMs)` after each read, and header and body timeouts one call each. After it
   * fired, calls fail at once until the next `setDeadline`. Raw packets (`io(stream, …)`) use
   * their own options instead.
   */
  setDeadline(ms: number | null): void {
    if (ms !== null && (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_DEADLINE_MS)) {
      throw new IoError("InvalidInput", `setDeadline: ms must be null or a number of milliseconds from 0 to ${MAX_DEADLINE_MS}, got ${String(ms)}`, { op: "setDeadline", backend: this.backend.name });
    }
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlineDue = ms === null ? undefined : performance.now() + ms;
    if (ms === null) {
      // Pending calls keep a signal that will not fire now; a fired one is forgotten.
      if (this.#deadline?.signal.aborted === true) this.#deadline = undefined;
      return;
    }
    if (this.#deadline === undefined || this.#deadline.signal.aborted) this.#deadline = new AbortController();
    const deadline = this.#deadline;
    const timer = setTimeout(() => {
      this.#deadlineTimer = undefined;
      deadline.abort(new IoError("TimedOut", `the connection deadline of ${ms} ms passed`, { op: "deadline", backend: this.backend.name }));
    }, ms);
    // A deadline alone never keeps the process alive: pending I/O on the socket does.
    (timer as { unref?: () => void }).unref?.();
    this.#deadlineTimer = timer;
  }

  /** The caller's options joined with the connection deadline, for one method call. */
  protected optionsFor(options: IoOptions | undefined, op: string): IoOptions | undefined {
    const checked = checkIoOptions(options, op);
    const deadline = this.#deadline?.signal;
    if (deadline === undefined) return checked;
    if (checked?.signal === undefined) return { ...checked, signal: deadline };
    return { ...checked, signal: AbortSignal.any([checked.signal, deadline]) };
  }

  /**
   * `optionsFor` for a sync call: no timer can fire while the thread blocks, so the connection
   * deadline's time left also becomes the call's `timeoutMs` (the least of the two), which a
   * backend that blocks in the kernel enforces there (uring: LINK_TIMEOUT).
   */
  protected syncOptionsFor(options: IoOptions | undefined, op: string): IoOptions | undefined {
    const joined = this.optionsFor(options, op);
    const due = this.#deadlineDue;
    if (due === undefined || joined?.signal?.aborted === true) return joined;
    const left = Math.max(1, Math.ceil(due - performance.now()));
    return { ...joined, timeoutMs: joined?.timeoutMs === undefined ? left : Math.min(joined.timeoutMs, left) };
  }

  /** Reads what has arrived into `dst` (at least 1 byte); 0 means the peer ended the stream. */
  async read(dst: Uint8Array, options?: IoOptions): Promise<number> {
    checkBytes(dst, "dst", "read");
    const checked = this.optionsFor(options, "read");
    if (dst.byteLength === 0) return 0;
    return readCount(await io(this, NoPos, Packet.wrap(dst, Write), undefined, checked));
  }

  /**
   * Fills `dst` (or a new buffer of `length` bytes); kind UnexpectedEof if the stream ends first.
   * `timeoutMs` bounds each read it makes; a `signal` or the connection deadline bounds them all.
   * A call that fails after taking some bytes (timeout, abort, deadline, end, reset) gives them
   * back: the next read started on the stream returns them first, so a retry loses nothing.
   */
  async readExact(target: Uint8Array | number, options?: IoOptions): Promise<Uint8Array> {
    const dst = exactTarget(target, "readExact");
    const checked = this.optionsFor(options, "readExact");
    const length = dst.byteLength;
    let filled = 0;
    try {
      while (filled < length) {
        this.#checkAttached(dst, length, filled, "readExact");
        const count = readCount(await io(this, NoPos, Packet.wrap(dst.subarray(filled), Write), undefined, checked));
        if (count === 0) throw this.#endedAfter(filled, length, "readExact");
        filled += count;
      }
    } catch (error) {
      this.#keepUnread(dst, filled);
      throw error;
    }
    return dst;
  }

  /** Writes all of `src`; resolves with its length once the kernel accepted it. */
  async write(src: Uint8Array, options?: IoOptions): Promise<number> {
    checkBytes(src, "src", "write");
    const result = await io(this, NoPos, Packet.wrap(src, Read), undefined, this.optionsFor(options, "write"));
    if (result.error !== undefined) throw result.error;
    return result.transferred;
  }

  async writeAll(src: Uint8Array, options?: IoOptions): Promise<void> {
    await this.write(src, options);
  }

  /**
   * `readExact` that blocks the thread, on a backend that can drive itself (`blockOn`); kind
   * Unsupported, with the reason, where it cannot (libuv: a socket cannot block Node's thread).
   */
  readExactSync(target: Uint8Array | number, options?: IoOptions): Uint8Array {
    const dst = exactTarget(target, "readExactSync");
    this.syncOptionsFor(options, "readExactSync");
    const length = dst.byteLength;
    let filled = 0;
    try {
      while (filled < length) {
        // Per read: the connection deadline's time left shrinks with each one.
        const checked = this.syncOptionsFor(options, "readExactSync");
        const count = readCount(ioSync(this, NoPos, Packet.wrap(dst.subarray(filled), Write), checked));
        if (count === 0) throw this.#endedAfter(filled, length, "readExactSync");
        filled += count;
      }
    } catch (error) {
      this.#keepUnread(dst, filled);
      throw error;
    }
    return dst;
  }

  /** `writeAll` that blocks the thread; kind Unsupported where the backend cannot block. */
  writeAllSync(src: Uint8Array, options?: IoOptions): void {
    checkBytes(src, "src", "writeAllSync");
    const result = ioSync(this, NoPos, Packet.wrap(src, Read), this.syncOptionsFor(options, "writeAllSync"));
    if (result.error !== undefined) throw result.error;
  }

  /** Ends both directions and releases the socket; every pending operation fails with kind Closed. Idempotent. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#unread = undefined;
      if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
      this.#deadlineTimer = undefined;
      this.#closing = this.closeStream();
    }
    return this.#closing;
  }

  /**
   * Between the pieces of a `readExact` the caller's `dst` may have been transferred away (its
   * length reads 0 then): the call fails with kind InvalidInput instead of returning an empty
   * buffer as if it were filled. The bytes already in it went with the buffer; the stream's
   * later bytes stay for the next read.
   */
  #checkAttached(dst: Uint8Array, length: number, filled: number, op: string): void {
    if (dst.byteLength === length) return;
    throw new IoError("InvalidInput", `${op}: dst was detached after ${filled} of ${length} bytes; a buffer belongs to the I/O system until its operation settles`, { op, backend: this.backend.name });
  }

  #endedAfter(filled: number, length: number, op: string): IoError {
    return new IoError("UnexpectedEof", `${op}: the stream ended after ${filled} of ${length} bytes`, { op, backend: this.backend.name });
  }
}

/** A read's count: WouldBlock (a short read) and UnexpectedEof (0 at the end) are not errors. */
function readCount(result: PacketResult): number {
  const kind = result.error?.kind;
  if (result.error !== undefined && kind !== "WouldBlock" && kind !== "UnexpectedEof") throw result.error;
  return result.transferred;
}

function exactTarget(target: Uint8Array | number, op: string): Uint8Array {
  return typeof target === "number" ? new Uint8Array(checkLength(target, "length", undefined, op)) : checkBytes(target, "dst", op);
}
