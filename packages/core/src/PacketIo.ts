/**
 * The two interfaces every backend implements: `PacketIo` accepts views of packets at a
 * parameter (a file position, or `NoPos` for streams), and `IoBackend` drives their completions.
 */
import type { BoundPacketView } from "./BoundPacketView.js";
import type { Perm } from "./Perm.js";

/** A file position: a non-negative safe integer, or a bigint in that range. */
export type Pos = number | bigint;

/**
 * The parameter of stream-like targets (sockets, pipes). Views sent with `NoPos` are served in
 * the order `sendIo` received them (FIFO is part of the contract).
 */
export const NoPos: unique symbol = Symbol.for("pktio.NoPos");
export type NoPos = typeof NoPos;

/**
 * A target of packets. `sendIo` returns nothing: from the call on, the target owns the view's
 * bytes and must settle the view (or the pieces it splits it into) exactly once each.
 * A target may settle synchronously inside `sendIo` or later; it must not throw for I/O errors,
 * it fails the view instead.
 */
export interface PacketIo<P extends Perm, Param> {
  sendIo(param: Param, view: BoundPacketView<P>): void;
  /** The backend that drives this target's completions, when it has one (sync wrappers need it). */
  readonly backend?: IoBackend | undefined;
  /**
   * True when a read may return fewer bytes than asked before the data ends (a FIFO, a socket, a
   * character device): the helpers that read to the end (`readToEnd`, `chunks`, `createReadable`)
   * then stop only at a read of 0 bytes. Absent or false: a short read is the end of the data.
   */
  readonly streamLike?: boolean | undefined;
}

/**
 * Optional, beside `PacketIo`: a target that can move one whole buffer on the calling thread
 * without a packet (one blocking system call). `readAtSync`, `readExactAtSync`, `writeAtSync` and
 * `writeAllAtSync` use it when no per-operation options are given; a packet costs more than the
 * system call for small blocking transfers (design.md §7). Each method returns the bytes moved —
 * a read is short only where the data ends, a write is whole — or `undefined` to decline, and the
 * helper then takes the packet path, which reports every error the same way.
 */
export interface DirectSync {
  readAtDirect(pos: number, dst: Uint8Array): number | undefined;
  writeAtDirect(pos: number, src: Uint8Array): number | undefined;
}

/**
 * Optional, beside `PacketIo`: a target with a packet-free `readAt`. The `readAt` helper (and
 * every handle's `readAt` method, which is that helper) calls it when no per-operation options
 * are given, with a checked position and a checked buffer; whether that buffer can be detached
 * the target reads from the buffer itself, never from its caller. It settles as the packet path would — the count, short only where the data
 * ends, the same errors — and owns what the kernel writes until the completion as the packet path
 * does; or it returns `undefined` to decline, and the helper sends a packet.
 */
export interface DirectAsync {
  readAtDirectAsync(pos: number, dst: Uint8Array): Promise<number> | undefined;
}

/** An fd a foreign event loop can watch for readiness, with the events to watch. */
export interface PollingHandle {
  readonly fd: number;
  readonly readable: boolean;
  readonly writable: boolean;
}

/**
 * What drives completions. The Node event loop drives every backend by default; a backend that
 * can also be driven on the calling thread implements `blockOn`, which makes every `*Sync`
 * helper real for it.
 */
export interface IoBackend {
  /** Short name, e.g. `"memory"`, `"uring"`, `"libuv"`, `"threaded"`. */
  readonly name: string;
  /** The fd a foreign loop could watch to know completions are ready, or null if there is none. */
  pollingHandle(): PollingHandle | null;
  /**
   * Drives completions on the calling thread, blocking, until `isDone()` returns true.
   * Absent when the backend cannot be driven synchronously.
   */
  blockOn?(isDone: () => boolean): void;
  /**
   * Calls `submit`; packets its targets receive during the call are served on the calling thread
   * before it returns (a backend whose completions come from a loop it cannot run, such as
   * libuv, performs them with blocking calls instead). Absent when the backend cannot.
   */
  submitSync?(submit: () => void): void;
  /** Settles or cancels everything in flight, then releases the backend. Idempotent. */
  close(): Promise<void>;
}
