/**
 * `MemoryStream.pair()`: two connected in-memory `ByteStream`s, the fake transport for protocol
 * tests. What one side writes the other reads, in order, with knobs a real socket does not give
 * on demand: seeded arbitrary splits of the delivered bytes (a parser must see the same bytes
 * however they are cut), and faults at a byte offset (end of stream, a reset, any error kind).
 *
 * Invariants:
 * - Each direction is a pipe of copied chunks: a write's buffer is the caller's again when the
 *   write completes; bytes reach reads in the order they were written, never overtaken.
 * - All work runs from one task queue per pair, delivered on a microtask (or a macrotask), and
 *   `blockOn` drives that queue, so the sync helpers work when the peer's bytes are queued.
 * - A read still queued when its signal fires leaves the queue before it receives a byte.
 * - Closing a side fails its pending operations with kind Closed; its peer reads to the end of
 *   what was sent, then sees end of stream, and its writes fail BrokenPipe.
 */
import { z } from "zod";
import type { BoundPacketView } from "../BoundPacketView.js";
import { Fifo } from "../Fifo.js";
import { IoError, IoErrorKinds, type IoErrorKind } from "../IoError.js";
import { abortError } from "../IoOptions.js";
import { macrotask } from "../internal/macrotask.js";
import { parseOptions } from "../options.js";
import type { IoBackend, PollingHandle } from "../PacketIo.js";
import type { Read, Write } from "../Perm.js";
import { ByteStream, type AnyStreamView, type ShutdownHow, type SocketAddress } from "./ByteStream.js";
import { detachedError } from "./detachedError.js";
import { settleShortRead } from "./settleShortRead.js";

const BACKEND = "memory";

/** A fault: what one side's reads (or writes) meet once `at` bytes have gone through them. */
export const MemoryStreamFault = z.strictObject({
  /** The side it applies to. */
  on: z.enum(["a", "b"]),
  /** Reads: delivered up to `at` received bytes, then the error. Writes: `at` bytes sent, then the error. */
  op: z.enum(["read", "write"]),
  /** Byte offset in that side's direction of the stream. */
  at: z.number().int().min(0),
  /** "eof": the stream ends there (reads only); "reset": kind ConnectionReset, sticky for the side; else that kind. */
  error: z.union([z.literal("eof"), z.literal("reset"), z.enum(IoErrorKinds)]),
});
export type MemoryStreamFault = z.input<typeof MemoryStreamFault>;

/** `MemoryStream.pair` options: seeded splits, their largest size, the delivery queue, faults. */
export const MemoryStreamOptions = z
  .strictObject({
    /** Seeds the splits: each read gets a pseudo-random count of the bytes that have arrived (1 … maxChunk). */
    seed: z.number().int().optional(),
    /** The most bytes one read receives (default: all that arrived, or 1 … 4096 when seeded). */
    maxChunk: z.number().int().min(1).max(2 ** 32).optional(),
    /** When queued work runs: "microtask" (default) or "macrotask" (setImmediate). */
    delivery: z.enum(["microtask", "macrotask"]).default("microtask"),
    faults: z.array(MemoryStreamFault).max(8).default([]),
  })
  .refine((options) => options.faults.every((fault) => !(fault.op === "write" && fault.error === "eof")), '"faults": a write fault cannot be "eof" (use "reset" or a kind)');
export type MemoryStreamOptions = z.input<typeof MemoryStreamOptions>;
type Resolved = z.output<typeof MemoryStreamOptions>;
type Fault = z.output<typeof MemoryStreamFault>;

/** One direction of the pair: chunks written and not yet read. */
class Pipe {
  readonly chunks = new Fifo<Uint8Array>();
  /** Bytes of the oldest chunk already read. */
  offset = 0;
  buffered = 0;
  /** Bytes read out of this pipe so far (a read fault's offset counts these). */
  delivered = 0;
  /** Bytes written into it so far (a write fault's offset counts these). */
  accepted = 0;
  /** The writer is done (shut down or closed): after the buffered bytes, end of stream. */
  ended = false;
  /** The reader is gone: writes fail BrokenPipe. */
  readerGone = false;
  constructor(readonly readFault: Fault | undefined, readonly writeFault: Fault | undefined) {}

  /** Copies up to `length` buffered bytes into `dst` at `offset`; returns the count. */
  take(dst: Uint8Array, at: number, length: number): number {
    let copied = 0;
    while (copied < length) {
      const chunk = this.chunks.peek() as Uint8Array;
      const count = Math.min(chunk.byteLength - this.offset, length - copied);
      dst.set(chunk.subarray(this.offset, this.offset + count), at + copied);
      copied += count;
      this.offset += count;
      if (this.offset === chunk.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.buffered -= copied;
    this.delivered += copied;
    return copied;
  }

  discard(): void {
    this.chunks.drain();
    this.offset = 0;
    this.buffered = 0;
  }
}

/** The pair's driver: one ordered task queue, delivered later or driven by `blockOn`. */
export class MemoryStreamBackend implements IoBackend {
  readonly name = BACKEND;
  #tasks = new Fifo<() => void>();
  #scheduled = false;
  readonly #delivery: "microtask" | "macrotask";
  readonly #drain = (): void => {
    this.#scheduled = false;
    this.#run();
  };

  constructor(delivery: "microtask" | "macrotask") {
    this.#delivery = delivery;
  }

  /** Runs `task` after every task queued before it. */
  later(task: () => void): void {
    this.#tasks.push(task);
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#delivery === "microtask") queueMicrotask(this.#drain);
    else macrotask(this.#drain, false);
  }

  pollingHandle(): PollingHandle | null {
    return null;
  }

  /** Runs queued tasks on this thread until `isDone()`; kind WouldBlock when nothing queued can finish it. */
  blockOn(isDone: () => boolean): void {
    while (!isDone()) {
      if (this.#tasks.length === 0) {
        throw new IoError("WouldBlock", "blockOn: nothing queued on the memory stream pair can settle the packet (the peer has not sent the bytes)", { op: "blockOn", backend: BACKEND });
      }
      this.#run();
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #run(): void {
    for (let task = this.#tasks.shift(); task !== undefined; task = this.#tasks.shift()) task();
  }
}

/** One side of an in-memory connected pair; made by `MemoryStream.pair()`. */
export class MemoryStream extends ByteStream {
  readonly backend: MemoryStreamBackend;
  readonly localAddress: SocketAddress | undefined = undefined;
  readonly remoteAddress: SocketAddress | undefined = undefined;
  readonly #inbound: Pipe;
  readonly #outbound: Pipe;
  readonly #reads = new Fifo<BoundPacketView<Write>>();
  readonly #splits: (() => number) | undefined;
  readonly #maxChunk: number;
  #peer!: MemoryStream;
  #readShut = false;
  #writeShut = false;
  /** A reset met by this side: every later operation fails with it. */
  #reset: IoError | undefined = undefined;
  /** The write fault, once met: later writes fail with it too. */
  #writeError: IoError | undefined = undefined;
  readonly #serve = (): void => this.#serveReads();

  private constructor(backend: MemoryStreamBackend, inbound: Pipe, outbound: Pipe, options: Resolved, salt: number) {
    super();
    this.backend = backend;
    this.#inbound = inbound;
    this.#outbound = outbound;
    this.#maxChunk = options.maxChunk ?? (options.seed === undefined ? Infinity : 4096);
    this.#splits = options.seed === undefined ? undefined : mulberry32(options.seed ^ salt);
  }

  /** Two connected streams `[a, b]`: a's writes are b's reads and the other way round. InvalidInput for bad options. */
  static pair(options?: MemoryStreamOptions): [MemoryStream, MemoryStream] {
    const resolved = parseOptions(MemoryStreamOptions, options, "MemoryStream.pair");
    const fault = (on: "a" | "b", op: "read" | "write"): Fault | undefined => resolved.faults.find((entry) => entry.on === on && entry.op === op);
    const toB = new Pipe(fault("b", "read"), fault("a", "write"));
    const toA = new Pipe(fault("a", "read"), fault("b", "write"));
    const backend = new MemoryStreamBackend(resolved.delivery);
    const a = new MemoryStream(backend, toA, toB, resolved, 0x0a0a0a0a);
    const b = new MemoryStream(backend, toB, toA, resolved, 0x0b0b0b0b);
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  /** Bytes the peer wrote that no read has taken yet. */
  get bufferedBytes(): number {
    return this.#inbound.buffered;
  }

  protected submit(view: AnyStreamView): void {
    if (view.perm.backendWrites) {
      const read = view as BoundPacketView<Write>;
      this.#reads.push(read);
      // A read whose signal fires while queued leaves at once (its buffer is the caller's again).
      read.packet.signal?.addEventListener("abort", this.#serve, { once: true });
      this.backend.later(this.#serve);
    } else {
      const write = view as BoundPacketView<Read>;
      this.backend.later(() => this.#write(write));
    }
  }

  #write(view: BoundPacketView<Read>): void {
    const signal = view.packet.signal;
    if (this.closed) return view.fail(closedError("write"));
    if (signal?.aborted === true) return view.fail(abortError(signal, "write", BACKEND));
    const sticky = this.#reset ?? this.#writeError;
    if (sticky !== undefined) return view.fail(sticky);
    if (this.#writeShut) return view.fail(new IoError("BrokenPipe", "the stream's write side is shut down", { op: "write", backend: BACKEND }));
    const pipe = this.#outbound;
    if (pipe.readerGone) return view.fail(new IoError("BrokenPipe", "the peer closed the stream", { op: "write", backend: BACKEND }));
    const fault = pipe.writeFault;
    let sent = view.length;
    if (fault !== undefined && pipe.accepted + view.length > fault.at) sent = Math.max(0, fault.at - pipe.accepted);
    if (view.detached) return view.fail(detachedError("write", BACKEND, "before it started"));
    if (sent > 0) {
      pipe.chunks.push(view.bytes().slice(0, sent));
      pipe.buffered += sent;
      pipe.accepted += sent;
      this.backend.later(this.#peer.#serve);
    }
    if (sent === view.length) return view.complete();
    this.#writeError = faultError(fault as Fault, "write");
    if (fault?.error === "reset") this.#reset = this.#writeError;
    if (sent === 0) return view.fail(this.#writeError);
    const [head, tail] = view.splitAt(sent);
    head.complete();
    tail.fail(this.#writeError);
  }

  /** Hands arrived bytes to queued reads, oldest first; drops reads whose signal fired; then faults and end of stream. */
  #serveReads(): void {
    for (const dropped of this.#reads.removeWhere((view) => view.settled || view.packet.signal?.aborted === true)) {
      // Settled already: a sync read whose blockOn failed (ioSync answered its caller).
      if (!dropped.settled) dropped.fail(abortError(dropped.packet.signal as AbortSignal, "read", BACKEND));
    }
    const pipe = this.#inbound;
    for (let view = this.#reads.peek(); view !== undefined; view = this.#reads.peek()) {
      const fault = pipe.readFault;
      const untilFault = fault === undefined ? Infinity : fault.at - pipe.delivered;
      if (this.#reset !== undefined) {
        this.#reads.shift();
        view.fail(this.#reset);
        continue;
      }
      if (untilFault <= 0 && fault !== undefined && fault.error !== "eof") {
        this.#reads.shift();
        const error = faultError(fault, "read");
        if (fault.error === "reset") this.#reset = error;
        view.fail(error);
        continue;
      }
      const atEnd = (pipe.ended && pipe.buffered === 0) || untilFault <= 0;
      if (atEnd) {
        this.#reads.shift();
        view.fail(new IoError("UnexpectedEof", "the peer ended the stream", { op: "read", backend: BACKEND }));
        continue;
      }
      if (view.length === 0) {
        this.#reads.shift();
        view.complete();
        continue;
      }
      if (pipe.buffered === 0) break;
      this.#reads.shift();
      // Detached while it waited: it fails, and the bytes stay for the next read.
      if (view.detached) {
        view.fail(detachedError("read", BACKEND, "before it started"));
        continue;
      }
      let count = Math.min(view.length, pipe.buffered, untilFault, this.#maxChunk);
      if (this.#splits !== undefined) count = 1 + Math.floor(this.#splits() * count);
      pipe.take(view.packet.bytes, view.start, count);
      settleShortRead(view, count, BACKEND);
    }
  }

  /** Shuts a direction down after the operations queued before it; see ByteStream. */
  shutdown(how: ShutdownHow): Promise<void> {
    if (how !== "read" && how !== "write" && how !== "both") {
      return Promise.reject(new IoError("InvalidInput", `shutdown: how must be "read", "write" or "both", got ${String(how)}`, { op: "shutdown", backend: BACKEND }));
    }
    if (this.closed) return Promise.reject(closedError("shutdown"));
    return new Promise((resolve) => {
      this.backend.later(() => {
        if (how !== "write") this.#shutRead();
        if (how !== "read" && !this.#writeShut) {
          this.#writeShut = true;
          this.#outbound.ended = true;
          this.backend.later(this.#peer.#serve);
        }
        resolve();
      });
    });
  }

  /** Pending and later reads fail UnexpectedEof; bytes that arrive are discarded. */
  #shutRead(): void {
    this.#readShut = true;
    this.#inbound.readerGone = true;
    this.#inbound.discard();
    this.#inbound.ended = true;
    this.#serveReads();
  }

  protected closeStream(): Promise<void> {
    const error = closedError("close");
    for (let view = this.#reads.shift(); view !== undefined; view = this.#reads.shift()) view.fail(error);
    this.#writeShut = true;
    this.#readShut = true;
    this.#outbound.ended = true;
    this.#inbound.readerGone = true;
    this.#inbound.discard();
    this.backend.later(this.#peer.#serve);
    return Promise.resolve();
  }
}

function closedError(op: string): IoError {
  return new IoError("Closed", "the stream was closed", { op, backend: BACKEND });
}

function faultError(fault: Fault, op: "read" | "write"): IoError {
  const kind: IoErrorKind = fault.error === "reset" ? "ConnectionReset" : fault.error === "eof" ? "UnexpectedEof" : fault.error;
  return new IoError(kind, `${op}: injected ${fault.error} at byte ${fault.at} (MemoryStream fault)`, { op, backend: BACKEND, ...(kind === "ConnectionReset" ? { code: "ECONNRESET" } : {}) });
}

/** A small seeded generator in [0, 1): the splits are the same for the same seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
