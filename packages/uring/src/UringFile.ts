/**
 * A file on io_uring: READ/WRITE (READ_FIXED/WRITE_FIXED for packets over the registered pool),
 * FSYNC, STATX and CLOSE through the ring. The fd stays open until every operation of this file
 * has completed; `*Sync` helpers block in io_uring_enter through the backend's `blockOn`.
 */
import { ftruncate, ftruncateSync } from "node:fs";
import { FileHandle, IoError, toIoError, type AnyView, type BoundPacketView, type FileStat, type Read, type Write } from "@pktio/core";
import { abortError, fromErrno, settleRead, settleWrite } from "@pktio/core/backend";
import { AT_EMPTY_PATH, parseStatx, STATX_MASK, STATX_SIZE } from "./internal/statx.js";
import type { Operation, UringBackend } from "./UringBackend.js";

/** Linux transfers at most 0x7ffff000 bytes in one read or write. */
export const MAX_SINGLE_IO = 0x7ffff000;
/** O_DIRECT's alignment for buffers, positions and lengths (the logical block size of common devices). */
export const DIRECT_ALIGNMENT = 512;
const EMPTY_PATH = new Uint8Array(1);

export class UringFile extends FileHandle {
  readonly backend: UringBackend;
  readonly fd: number;
  /** Operations of this file in the ring or queued for it; the fd is closed only at 0. */
  #pending = 0;
  #drained: (() => void) | undefined = undefined;
  readonly #untrack: () => void;
  readonly #context: { backend: string; path: string };

  /** Opened with O_DIRECT: transfers bypass the page cache and must be aligned. */
  readonly direct: boolean;

  constructor(backend: UringBackend, fd: number, path: string, access: { readable: boolean; writable: boolean; direct?: boolean }) {
    super(path, access);
    this.direct = access.direct === true;
    this.backend = backend;
    this.fd = fd;
    this.#context = { backend: "uring", path };
    this.#untrack = backend.track(this);
  }

  protected submit(pos: number, view: AnyView): void {
    if (view.length > MAX_SINGLE_IO) {
      const [head, tail] = view.splitAt(MAX_SINGLE_IO);
      this.submit(pos, head);
      this.submit(pos + MAX_SINGLE_IO, tail);
      return;
    }
    const reading = view.perm.backendWrites;
    const bytes = view.bytes();
    const ops = this.backend.opcodes;
    const poolIndex = this.backend.pool?.indexOf(bytes) ?? -1;
    if (this.direct && !this.#alignedForDirect(pos, bytes)) {
      return view.fail(
        new IoError("InvalidInput", `${this.path} is open with direct: the buffer's address, the position (${pos}) and the length (${bytes.byteLength}) must be multiples of ${DIRECT_ALIGNMENT}; take buffers from the registered pool (rt.io.pool)`, {
          op: reading ? "read" : "write",
          backend: "uring",
          path: this.path,
        }),
      );
    }
    const opcode = poolIndex >= 0 ? (reading ? ops.READ_FIXED : ops.WRITE_FIXED) : reading ? ops.READ : ops.WRITE;
    const { signal, timeoutMs } = view.packet;
    this.#pending++;
    const transfer = new Transfer(this, view, pos, opcode, bytes, Math.max(0, poolIndex), timeoutMs);
    if (signal !== undefined) {
      const onAbort = (): void => this.backend.cancel(transfer);
      transfer.onAbort = onAbort;
      signal.addEventListener("abort", onAbort, { once: true });
    }
    this.backend.submit(transfer, transfer);
  }

  /** @internal A transfer's completion (see Transfer): settles its view, or fails it with the reason. */
  finishTransfer(transfer: Transfer, result: number): void {
    const { view, offset: pos, timeoutMs } = transfer;
    const signal = view.packet.signal;
    if (transfer.onAbort !== undefined) signal?.removeEventListener("abort", transfer.onAbort);
    const reading = view.perm.backendWrites;
    if (result >= 0) {
      if (reading) settleRead(view as BoundPacketView<Write>, pos, result, this.#context);
      else settleWrite(view as BoundPacketView<Read>, pos, result, this.#context, (next, tail) => this.submit(next, tail));
    } else if (result === -125 && signal?.aborted === true) {
      view.fail(abortError(signal, reading ? "read" : "write", "uring"));
    } else if (result === -125 && timeoutMs !== undefined) {
      view.fail(new IoError("TimedOut", `${reading ? "read" : "write"} of ${this.path} at ${pos} took longer than ${timeoutMs} ms`, { op: reading ? "read" : "write", backend: "uring", path: this.path }));
    } else {
      view.fail(fromErrno(result, { op: reading ? "read" : "write", backend: "uring", path: this.path }));
    }
    this.#operationDone();
  }

  /**
   * The sync helpers' fast path: one pread/pwrite on this thread while the ring is idle
   * (`directSync`, design.md §9). An O_DIRECT transfer that is not aligned takes the packet
   * path, which explains the rule.
   */
  protected override transferSync(pos: number, bytes: Uint8Array, reading: boolean): number | undefined {
    if (this.direct && !this.#alignedForDirect(pos, bytes)) return undefined;
    const result = this.backend.transferNow(this.fd, bytes, pos, !reading);
    if (result === undefined || (result >= 0 && (reading || result === bytes.byteLength))) return result;
    const op = reading ? "read" : "write";
    if (result < 0) throw fromErrno(result, { op, backend: "uring", path: this.path });
    throw new IoError("Other", `write at ${pos + result} of ${this.path} made no progress`, { op, backend: "uring", path: this.path });
  }

  /** Pool slices start page-aligned, but a subarray of one need not: the address is always checked. */
  #alignedForDirect(pos: number, bytes: Uint8Array): boolean {
    if (pos % DIRECT_ALIGNMENT !== 0 || bytes.byteLength % DIRECT_ALIGNMENT !== 0) return false;
    return this.backend.isAligned(bytes, DIRECT_ALIGNMENT);
  }

  #operationDone(): void {
    if (--this.#pending === 0 && this.#drained !== undefined) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }

  #whenDrained(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#drained = resolve));
  }

  /** One ring operation on this file's fd, as a promise of its result. */
  #run(op: string, operation: Parameters<UringBackend["submit"]>[0]): Promise<number> {
    this.#pending++;
    return new Promise((resolve, reject) =>
      this.backend.submit(operation, (result) => {
        this.#operationDone();
        if (result < 0) reject(fromErrno(result, { op, backend: "uring", path: this.path }));
        else resolve(result);
      }),
    );
  }

  /** The same, blocking: submitted and awaited on this thread. */
  #runSync(op: string, operation: Parameters<UringBackend["submit"]>[0]): number {
    let result: number | undefined;
    this.#pending++;
    this.backend.submit(operation, (value) => {
      this.#operationDone();
      result = value;
    });
    this.backend.blockOn(() => result !== undefined);
    if ((result as number) < 0) throw fromErrno(result as number, { op, backend: "uring", path: this.path });
    return result as number;
  }

  #statOperation(buffer: Uint8Array): Parameters<UringBackend["submit"]>[0] {
    return { opcode: this.backend.opcodes.STATX, fd: this.fd, aux: AT_EMPTY_PATH, aux2: STATX_MASK, buffer: EMPTY_PATH, buffer2: buffer };
  }

  protected async statFile(): Promise<FileStat> {
    const buffer = new Uint8Array(STATX_SIZE);
    await this.#run("stat", this.#statOperation(buffer));
    return parseStatx(buffer);
  }
  protected statFileSync(): FileStat {
    const buffer = new Uint8Array(STATX_SIZE);
    this.#runSync("stat", this.#statOperation(buffer));
    return parseStatx(buffer);
  }
  protected async syncFile(): Promise<void> {
    await this.#run("sync", { opcode: this.backend.opcodes.FSYNC, fd: this.fd });
  }
  protected syncFileSync(): void {
    this.#runSync("sync", { opcode: this.backend.opcodes.FSYNC, fd: this.fd });
  }
  // io_uring has no ftruncate before Linux 6.9: this one operation takes the libuv path.
  protected truncateFile(length: number): Promise<void> {
    return new Promise((resolve, reject) => ftruncate(this.fd, length, (error) => (error === null ? resolve() : reject(toIoError(error, { op: "truncate", backend: "uring", path: this.path })))));
  }
  protected truncateFileSync(length: number): void {
    try {
      ftruncateSync(this.fd, length);
    } catch (error) {
      throw toIoError(error, { op: "truncate", backend: "uring", path: this.path });
    }
  }

  protected async closeFile(): Promise<void> {
    await this.#whenDrained();
    this.#untrack();
    if (this.backend.has(this.backend.opcodes.CLOSE)) await this.#run("close", { opcode: this.backend.opcodes.CLOSE, fd: this.fd });
    else await closeWithLibuv(this.fd, this.path);
  }

  protected closeFileSync(): void {
    this.#untrack();
    if (this.#pending === 0) {
      this.#runSync("close", { opcode: this.backend.opcodes.CLOSE, fd: this.fd });
      return;
    }
    // Operations are still in flight: the fd must outlive them, so the last one closes it.
    this.#drained = () => this.backend.submit({ opcode: this.backend.opcodes.CLOSE, fd: this.fd }, () => undefined);
  }
}

async function closeWithLibuv(fd: number, path: string): Promise<void> {
  const { close } = await import("node:fs");
  await new Promise<void>((resolve, reject) => close(fd, (error) => (error === null ? resolve() : reject(new IoError("Other", `close of ${path} failed: ${error.message}`, { op: "close", backend: "uring", cause: error })))));
}

/**
 * One read or write in the ring: the backend's operation record and its completion in one object
 * (a closure, its context and a record per transfer were a third of the allocations of a cached
 * read; at 16384 in flight the garbage collector took 30 % of the thread).
 */
class Transfer implements Operation {
  readonly fd: number;
  readonly length: number;
  readonly eager: boolean;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    readonly file: UringFile,
    readonly view: AnyView,
    readonly offset: number,
    readonly opcode: number,
    readonly buffer: Uint8Array,
    readonly aux: number,
    readonly timeoutMs: number | undefined,
  ) {
    this.fd = file.fd;
    this.length = buffer.byteLength;
    this.eager = file.direct;
  }

  complete(result: number): void {
    this.file.finishTransfer(this, result);
  }
}

