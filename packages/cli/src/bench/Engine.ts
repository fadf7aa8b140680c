/**
 * What a bench job drives: one way of doing file I/O (a pktio backend, fs.promises, fs.read,
 * fs.readSync) with `buffers.length` slots, each owning one buffer of the job's block size. An
 * async engine starts an operation on a slot and reports its completion through `onComplete`; a
 * sync engine performs it before returning.
 */

/** An operation's end: bytes transferred, or the error (anything thrown or passed back). */
export type Completion = (slot: number, transferred: number, error: unknown) => void;

interface EngineBase {
  /** One buffer per slot, each exactly the block size. */
  readonly buffers: readonly Uint8Array[];
  /** How this engine does its I/O, for the table ("sendPacket", "registered buffers", …). */
  readonly detail: string;
  /** Releases files and runtimes; waits for nothing in flight (the driver has drained it). */
  close(): Promise<void>;
}

export interface AsyncEngine extends EngineBase {
  readonly mode: "async";
  /** Set by the driver before it starts anything. */
  onComplete: Completion;
  /** Starts a read into, or a write from, the slot's buffer at `pos`; it may complete before returning. */
  start(slot: number, pos: number, write: boolean): void;
}

export interface SyncEngine extends EngineBase {
  readonly mode: "sync";
  /** Reads into, or writes from, the slot's buffer at `pos`; returns the bytes transferred. */
  run(slot: number, pos: number, write: boolean): number;
}

export type Engine = AsyncEngine | SyncEngine;
