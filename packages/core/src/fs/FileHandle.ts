/**
 * The one base class of every backend's file handle. It owns the lifecycle (argument checks,
 * Closed errors, idempotent close) and derives every helper from `sendIo`; a backend fills in
 * `submit` and the few metadata hooks. Closing waits for I/O in flight (the backend's
 * `closeFile` must not release the fd before the last completion), so no read lands on a
 * reused fd number.
 */
import type { BoundPacketView } from "../BoundPacketView.js";
import { Cursor } from "../Cursor.js";
import { IoError } from "../IoError.js";
import { abortError, type IoOptions } from "../IoOptions.js";
import { checkLength, MAX_PACKET_LENGTH, positionOrError } from "../internal/validate.js";
import { readNumberAt, readNumberAtSync, writeNumberAt, writeNumberAtSync, type NumberType, type NumberValue } from "../numbers.js";
import type { DirectAsync, DirectSync, IoBackend, PacketIo, Pos } from "../PacketIo.js";
import type { Read, Write } from "../Perm.js";
import * as rw from "../readWrite.js";
import { createReadable, createReadableStream, createWritable, type ReadStreamOptions, type WriteStreamOptions } from "../streams.js";
import { chunks, chunksSync, type ChunkOptions } from "./chunks.js";
import type { FileStat } from "./FileStat.js";
import { readRange, readRangeSync } from "./readRange.js";
import type { Readable, Writable } from "node:stream";

/** A view of either direction, as a file receives them. */
export type AnyView = BoundPacketView<Write> | BoundPacketView<Read>;

export abstract class FileHandle implements PacketIo<Write, Pos>, PacketIo<Read, Pos>, DirectSync, DirectAsync {
  /** The path the file was opened at. */
  readonly path: string;
  /** Whether the file was opened for reading, and for writing (or appending). */
  readonly readable: boolean;
  readonly writable: boolean;
  /** The backend that completes this file's packets. */
  abstract readonly backend: IoBackend;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;

  protected constructor(path: string, access: { readable: boolean; writable: boolean }) {
    this.path = path;
    this.readable = access.readable;
    this.writable = access.writable;
  }

  /**
   * True for a FIFO, socket or character device (see `PacketIo.streamLike`): a read is short when
   * that is all that has arrived, so the helpers that read to the end stop only at 0.
   */
  get streamLike(): boolean {
    return false;
  }

  /** True once `close` or `closeSync` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  sendIo(pos: Pos, view: AnyView): void {
    if (this.#closed) return view.fail(this.closedError("sendIo"));
    const position = positionOrError(pos, { op: "sendIo", backend: this.backend.name });
    if (typeof position !== "number") return view.fail(position);
    if (view.perm.backendWrites === view.perm.backendReads) {
      return view.fail(new IoError("InvalidInput", "a ReadWrite packet has no single direction for a file; use Write to read or Read to write", { op: "sendIo", backend: this.backend.name }));
    }
    // Checked here rather than left to the OS, whose EBADF would not say what was wrong.
    if (view.perm.backendWrites ? !this.readable : !this.writable) {
      const need = view.perm.backendWrites ? "read" : "write";
      return view.fail(new IoError("PermissionDenied", `${JSON.stringify(this.path)} was not opened for ${view.perm.backendWrites ? "reading" : "writing"}`, { op: need, backend: this.backend.name, path: this.path }));
    }
    const signal = view.packet.signal;
    if (signal?.aborted === true) return view.fail(abortError(signal, view.perm.backendWrites ? "read" : "write", this.backend.name));
    this.submit(position, view);
  }

  /**
   * DirectSync: a blocking read without a packet, through the backend's `transferSync`. Anything
   * the packet path would refuse (a closed handle, the wrong direction, a bad argument) declines,
   * so that `sendIo` reports it as it always does.
   */
  readAtDirect(pos: number, dst: Uint8Array): number | undefined {
    if (this.#closed || !this.readable || !isPlainTransfer(pos, dst)) return undefined;
    return this.transferSync(pos, dst, true);
  }

  /**
   * DirectAsync: `readAt` without a packet, through the backend's `readDirect`. Anything the
   * packet path would refuse declines, as in `readAtDirect`; whether `dst` is shared is read from
   * `dst` itself.
   */
  readAtDirectAsync(pos: number, dst: Uint8Array): Promise<number> | undefined {
    // A backend without a packet-free read declines before any check (libuv, threaded, netfs).
    if (this.readDirect === FileHandle.#declining || this.#closed || !this.readable) return undefined;
    const kind = directReadKind(pos, dst);
    // Whether the buffer can be detached is decided here, from the buffer, never by the caller:
    // a backend hands a shared one to the kernel as it is.
    return kind === undefined ? undefined : this.readDirect(pos, dst, kind === "shared");
  }

  /** DirectSync: a blocking write of all of `src` without a packet; see `readAtDirect`. */
  writeAtDirect(pos: number, src: Uint8Array): number | undefined {
    if (this.#closed || !this.writable || !isPlainTransfer(pos, src)) return undefined;
    return this.transferSync(pos, src, false);
  }

  /**
   * The backend's packet-free blocking transfer, for the sync helpers: moves all of `bytes` at a
   * checked position on the calling thread and returns the count (a read is short only at the end
   * of the file), or throws the IoError the packet path would have settled with; `undefined`
   * declines (the helper then sends a packet). The base class always declines.
   */
  protected transferSync(_pos: number, _bytes: Uint8Array, _reading: boolean): number | undefined {
    return undefined;
  }

  /**
   * The backend's packet-free `readAt` (DirectAsync), for the hottest call there is: a read into
   * a fixed-length, non-empty buffer (`shared` when it is over a SharedArrayBuffer) at a safe
   * position of an open, readable handle, with no options. It settles exactly as the packet path
   * would (the count, short only at the end of the data; the same errors), owns what the kernel
   * writes until the completion as the packet path does (a buffer that can be detached is never
   * the kernel's target), and returns `undefined` to decline: the packet path then runs. The
   * base class declines.
   */
  protected readDirect(_pos: number, _dst: Uint8Array, _shared: boolean): Promise<number> | undefined {
    return undefined;
  }
  /** The base class's `readDirect`, which always declines. */
  static readonly #declining = FileHandle.prototype.readDirect;

  /** Starts the transfer of a checked view at a checked position; settles it when done. */
  protected abstract submit(pos: number, view: AnyView): void;
  protected abstract statFile(): Promise<FileStat>;
  protected abstract statFileSync(): FileStat;
  protected abstract syncFile(): Promise<void>;
  protected abstract syncFileSync(): void;
  /**
   * fdatasync: the data and the metadata needed to read it back. The default flushes everything
   * (fsync does at least what fdatasync does); backends override it with the real call.
   */
  protected datasyncFile(): Promise<void> {
    return this.syncFile();
  }
  protected datasyncFileSync(): void {
    this.syncFileSync();
  }
  protected abstract truncateFile(length: number): Promise<void>;
  protected abstract truncateFileSync(length: number): void;
  /** Waits for every transfer in flight, then releases the fd. Called once. */
  protected abstract closeFile(): Promise<void>;
  /** Releases the fd now, or as soon as the last transfer in flight completes. Called once. */
  protected abstract closeFileSync(): void;

  readAt(pos: Pos, dst: Uint8Array, options?: IoOptions): Promise<number> {
    return rw.readAt(this, pos, dst, options);
  }
  readExactAt(pos: Pos, dst: Uint8Array, options?: IoOptions): Promise<void> {
    return rw.readExactAt(this, pos, dst, options);
  }
  readToEnd(pos: Pos = 0, options?: IoOptions): Promise<Uint8Array> {
    return rw.readToEnd(this, pos, options);
  }
  writeAt(pos: Pos, src: Uint8Array, options?: IoOptions): Promise<number> {
    return rw.writeAt(this, pos, src, options);
  }
  writeAllAt(pos: Pos, src: Uint8Array, options?: IoOptions): Promise<void> {
    return rw.writeAllAt(this, pos, src, options);
  }
  readAtSync(pos: Pos, dst: Uint8Array, options?: IoOptions): number {
    return rw.readAtSync(this, pos, dst, options);
  }
  readExactAtSync(pos: Pos, dst: Uint8Array, options?: IoOptions): void {
    rw.readExactAtSync(this, pos, dst, options);
  }
  readToEndSync(pos: Pos = 0, options?: IoOptions): Uint8Array {
    return rw.readToEndSync(this, pos, options);
  }
  writeAtSync(pos: Pos, src: Uint8Array, options?: IoOptions): number {
    return rw.writeAtSync(this, pos, src, options);
  }
  writeAllAtSync(pos: Pos, src: Uint8Array, options?: IoOptions): void {
    rw.writeAllAtSync(this, pos, src, options);
  }
  /** One typed number at `pos` (see the core helper `readNumberAt`). */
  readNumberAt<T extends NumberType>(pos: Pos, type: T, options?: IoOptions): Promise<NumberValue<T>> {
    return readNumberAt(this, pos, type, options);
  }
  /** `readNumberAt` that blocks the thread. */
  readNumberAtSync<T extends NumberType>(pos: Pos, type: T, options?: IoOptions): NumberValue<T> {
    return readNumberAtSync(this, pos, type, options);
  }
  /** Writes one typed number at `pos` (see the core helper `writeNumberAt`). */
  writeNumberAt<T extends NumberType>(pos: Pos, type: T, value: NumberValue<T>, options?: IoOptions): Promise<void> {
    return writeNumberAt(this, pos, type, value, options);
  }
  /** `writeNumberAt` that blocks the thread. */
  writeNumberAtSync<T extends NumberType>(pos: Pos, type: T, value: NumberValue<T>, options?: IoOptions): void {
    writeNumberAtSync(this, pos, type, value, options);
  }
  /** A cursor over this file starting at `pos`. */
  cursor(pos: Pos = 0): Cursor {
    return new Cursor(this, pos);
  }
  createReadable(options?: ReadStreamOptions): Readable {
    return createReadable(this, options);
  }
  createWritable(options?: WriteStreamOptions): Writable {
    return createWritable(this, options);
  }
  createReadableStream(options?: ReadStreamOptions): ReadableStream<Uint8Array> {
    return createReadableStream(this, options);
  }

  /** A fresh Uint8Array with up to `length` bytes at `pos`; shorter only at the end of the file. */
  readRange(pos: Pos, length: number, options?: IoOptions): Promise<Uint8Array> {
    return readRange(this, pos, length, options);
  }
  readRangeSync(pos: Pos, length: number, options?: IoOptions): Uint8Array {
    return readRangeSync(this, pos, length, options);
  }
  /** The bytes of `[start, end)` (end exclusive) as an iterable of fresh chunks, read with `readAtSync`. */
  chunksSync(options?: ChunkOptions): Generator<Uint8Array, void, undefined> {
    return chunksSync(this, options);
  }
  /** The async twin of `chunksSync`, read with `readAt`. */
  chunks(options?: ChunkOptions): AsyncGenerator<Uint8Array, void, undefined> {
    return chunks(this, options);
  }

  /** The file's length in bytes now (a stat). */
  async size(): Promise<number> {
    return (await this.stat()).size;
  }
  sizeSync(): number {
    return this.statSync().size;
  }

  async stat(): Promise<FileStat> {
    this.#assertOpen("stat");
    return this.statFile();
  }
  statSync(): FileStat {
    this.#assertOpen("stat");
    return this.statFileSync();
  }
  /** Flushes the file's data and metadata to the device (fsync). */
  async sync(): Promise<void> {
    this.#assertOpen("sync");
    return this.syncFile();
  }
  syncSync(): void {
    this.#assertOpen("sync");
    this.syncFileSync();
  }
  /** Flushes the file's data, and the metadata needed to read it (fdatasync). */
  async datasync(): Promise<void> {
    this.#assertOpen("datasync");
    return this.datasyncFile();
  }
  datasyncSync(): void {
    this.#assertOpen("datasync");
    this.datasyncFileSync();
  }
  /** Sets the length; growing zero-fills. */
  async truncate(length: number): Promise<void> {
    this.#assertOpen("truncate");
    return this.truncateFile(checkLength(length, "length", Number.MAX_SAFE_INTEGER, "truncate"));
  }
  truncateSync(length: number): void {
    this.#assertOpen("truncate");
    this.truncateFileSync(checkLength(length, "length", Number.MAX_SAFE_INTEGER, "truncate"));
  }

  /** Refuses new I/O, waits for what is in flight, releases the fd. Idempotent. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      const wasClosed = this.#closed;
      this.#closed = true;
      this.#closing = wasClosed ? Promise.resolve() : this.closeFile();
    }
    return this.#closing;
  }

  /** Refuses new I/O; the fd is released now, or when the last transfer in flight completes. */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closeFileSync();
  }

  protected closedError(op: string): IoError {
    return new IoError("Closed", `${op}: file ${JSON.stringify(this.path)} is closed`, { op, backend: this.backend.name, path: this.path });
  }

  #assertOpen(op: string): void {
    if (this.#closed) throw this.closedError(op);
  }
}

/**
 * What `readDirect` takes: `isPlainTransfer` over a fixed-length buffer within the packet limit
 * (a resizable or growable one, or a larger one, takes the packet path, which refuses it), and
 * whether it is over a SharedArrayBuffer (which no one can detach); undefined to decline.
 */
function directReadKind(pos: number, dst: Uint8Array): "plain" | "shared" | undefined {
  if (!isPlainTransfer(pos, dst) || dst.byteLength > MAX_PACKET_LENGTH) return undefined;
  const buffer = dst.buffer as ArrayBufferLike & { resizable?: boolean; growable?: boolean };
  if (buffer instanceof SharedArrayBuffer) return buffer.growable === true ? undefined : "shared";
  return buffer.resizable === true ? undefined : "plain";
}

/** A non-empty buffer at a safe position: what a direct transfer takes (empty ones stay packets). */
function isPlainTransfer(pos: number, bytes: Uint8Array): boolean {
  return typeof pos === "number" && Number.isSafeInteger(pos) && pos >= 0 && bytes instanceof Uint8Array && bytes.byteLength > 0;
}
