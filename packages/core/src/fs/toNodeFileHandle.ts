/**
 * `toNodeFileHandle(file)`: a pktio file as Node's `fs.promises.FileHandle`, so a library written
 * for `fs.promises.open()` takes it unchanged. It follows Node's semantics, including the
 * handle's own cursor: a `null` (or absent, or negative) position reads or writes at the cursor
 * and advances it, a non-negative integer position leaves it alone, and `readFile`/`writeFile`
 * start at the cursor. Calls at the cursor run one after another in call order (Node leaves
 * concurrent ones to the OS); positional calls run concurrently. Errors are IoErrors of the pktio
 * kind with Node's `code` and `syscall` ("EBADF" after close or for the wrong direction), and
 * bad arguments are Node's ERR_OUT_OF_RANGE / ERR_INVALID_ARG_TYPE errors. docs/integrations.md.
 */
import type { BigIntStats, ReadStream, Stats, WriteStream } from "node:fs";
import type { CreateReadStreamOptions, CreateWriteStreamOptions } from "node:fs/promises";
import type { Interface as ReadlineInterface } from "node:readline";
import { IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";
import { abortedBy, fileClosed, fileTooLarge, invalidArgType, invalidArgValue, invalidState, methodNotImplemented, nodeShaped, outOfRange, validateInteger } from "../internal/nodeErrors.js";
import type { FileHandle } from "./FileHandle.js";
import { facadeReadStream, facadeWriteStream } from "./facadeStreams.js";
import { NodeStats } from "./NodeStats.js";

type View = NodeJS.ArrayBufferView;
type Encoding = BufferEncoding;
/** What fs streams of a file without an OS descriptor are given (the largest int32 Node accepts); only the facade's own calls see it. */
const STREAM_PLACEHOLDER_FD = 2_147_483_647;

/** Node's read options, as `read({ buffer, offset, length, position })` and `read(buffer, options)` take them. */
export interface NodeReadOptions<T extends View> {
  buffer?: T | undefined;
  offset?: number | null | undefined;
  length?: number | null | undefined;
  position?: number | bigint | null | undefined;
}

const noop = (): void => undefined;
/** The running Node's major version (readableWebStream's default changed with Node 22); read when called, as the module also loads where there is no `process`. */
function nodeMajor(): number {
  return Number((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node?.split(".")[0] ?? 0);
}

/** A non-negative safe-integer position (number or bigint) reads there; anything else means the cursor, as Node. */
function explicitPosition(position: unknown): number | undefined {
  if (typeof position === "number") return Number.isSafeInteger(position) && position >= 0 ? position : undefined;
  if (typeof position === "bigint") return position >= 0n && position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : undefined;
  return undefined;
}

function bytesOf(view: View, offset = 0, length = view.byteLength - offset): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + offset, length);
}

/** The largest `readFile` Node makes (kIoMaxLength): a larger regular file is ERR_FS_FILE_TOO_LARGE. */
const READ_FILE_MAX = 2 ** 31 - 1;

/** Node's options argument of readFile/writeFile: nothing, an encoding name, or an object (ERR_INVALID_ARG_TYPE otherwise). */
function fileOptions(options: unknown): { encoding?: unknown; signal?: unknown; flush?: unknown } {
  // Node takes a function (a callback passed by mistake) as no options.
  if (options == null || typeof options === "function") return {};
  if (typeof options === "string") return { encoding: options };
  if (typeof options !== "object") throw invalidArgType("options", "of type string or an instance of Object", options);
  return options as { encoding?: unknown };
}

/** An encoding option as Node checks it before any I/O (ERR_INVALID_ARG_VALUE for an unknown name). */
function checkedEncoding(encoding: unknown): Encoding | undefined {
  if (encoding == null || encoding === "") return undefined;
  if (typeof encoding !== "string" || !nodeBuiltin("node:buffer").Buffer.isEncoding(encoding)) throw invalidArgValue("encoding", "is invalid encoding", encoding);
  return encoding;
}

/** A signal option: an AbortSignal or nothing (ERR_INVALID_ARG_TYPE). */
function checkedSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw invalidArgType("options.signal", "an instance of AbortSignal", signal);
  return signal;
}

function checkBufferArray(buffers: unknown): readonly View[] {
  if (!Array.isArray(buffers) || !buffers.every((buffer) => ArrayBuffer.isView(buffer))) {
    throw invalidArgType("buffers", "an ArrayBufferView[]", buffers);
  }
  return buffers as View[];
}

/**
 * Node's `fs.promises.FileHandle` over a pktio FileHandle (see the module header). Owns the file:
 * `close()` closes it. `fd` is the OS descriptor where the backend's file has one (libuv, uring,
 * threaded), -1 once closed; pass it to no other `fs` call, since pktio releases it only after
 * its last operation. `chmod`, `chown` and `utimes` reject with kind Unsupported (pktio files
 * have no such operation). It emits no events (Node's is an EventEmitter only for 'close').
 */
// Not `implements FileHandle` in the published types: newer @types/node add members (pull,
// writer) that would break a consumer's compile; test/types.test.ts checks the assignability
// against the @types/node this repository builds with.
export class NodeFileHandle {
  /** The pktio file underneath. */
  readonly file: FileHandle;
  #position = 0;
  #cursorTail: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Node locks a handle to its one web stream (readableWebStream). */
  #webStreamMade = false;

  constructor(file: FileHandle) {
    this.file = file;
  }

  /** The OS descriptor where the pktio file has one, -1 when it has none or is closed. */
  get fd(): number {
    const fd = (this.file as { fd?: unknown }).fd;
    return this.#isClosed() || typeof fd !== "number" ? -1 : fd;
  }

  /**
   * Node's three forms: `read(buffer, offset?, length?, position?)`, `read(buffer, options)` and
   * `read({ buffer = Buffer.alloc(16384), offset, length, position })`; short only at the end of
   * the file. A position that is not a non-negative integer reads at the cursor and advances it.
   */
  read<T extends View>(buffer: T, offset?: number | null, length?: number | null, position?: number | bigint | null): Promise<{ bytesRead: number; buffer: T }>;
  read<T extends View>(buffer: T, options?: NodeReadOptions<T>): Promise<{ bytesRead: number; buffer: T }>;
  read<T extends View = Buffer>(options?: NodeReadOptions<T>): Promise<{ bytesRead: number; buffer: T }>;
  async read<T extends View>(first?: T | NodeReadOptions<T>, second?: number | null | NodeReadOptions<T>, third?: number | null, fourth?: number | bigint | null): Promise<{ bytesRead: number; buffer: T }> {
    this.#assertOpen("read");
    let buffer: T;
    let args: NodeReadOptions<T>;
    if (ArrayBuffer.isView(first)) {
      buffer = first;
      args = second !== null && typeof second === "object" ? second : { offset: second, length: third, position: fourth };
    } else {
      if (first !== undefined && first !== null && typeof first !== "object") throw invalidArgType("options", "of type object", first);
      args = first ?? {};
      buffer = args.buffer ?? (nodeBuiltin("node:buffer").Buffer.alloc(16384) as unknown as T);
      if (!ArrayBuffer.isView(buffer)) throw invalidArgType("buffer", "an instance of Buffer, TypedArray, or DataView", buffer);
    }
    const offset = args.offset == null ? 0 : validateInteger(args.offset, "offset", 0);
    const length = args.length ?? buffer.byteLength - offset;
    if (length === 0) return { bytesRead: 0, buffer };
    if (buffer.byteLength === 0) throw invalidArgValue("buffer", "is empty and cannot be written", buffer);
    if (typeof length !== "number" || !Number.isInteger(length)) throw invalidArgType("length", "of type number", length);
    if (length < 0) throw outOfRange("length", ">= 0", length);
    if (offset + length > buffer.byteLength) throw outOfRange("length", `<= ${buffer.byteLength - offset}`, length);
    const dst = bytesOf(buffer, offset, length);
    const bytesRead = await this.#transfer("read", args.position, (at) => this.file.readAt(at, dst));
    return { bytesRead, buffer };
  }

  /**
   * Node's forms: `write(buffer, offset?, length?, position?)`, `write(buffer, options)` and
   * `write(string, position?, encoding = "utf8")`. A position that is not a non-negative integer
   * writes at the cursor and advances it.
   */
  write<T extends View>(buffer: T, offset?: number | null, length?: number | null, position?: number | null): Promise<{ bytesWritten: number; buffer: T }>;
  write<T extends View>(buffer: T, options?: { offset?: number; length?: number; position?: number | null }): Promise<{ bytesWritten: number; buffer: T }>;
  write(data: string, position?: number | null, encoding?: Encoding | null): Promise<{ bytesWritten: number; buffer: string }>;
  async write<T extends View>(
    data: T | string,
    second?: number | null | { offset?: number; length?: number; position?: number | null },
    third?: number | null | Encoding,
    fourth?: number | null,
  ): Promise<{ bytesWritten: number; buffer: T | string }> {
    this.#assertOpen("write");
    if (typeof data === "string") {
      const { Buffer } = nodeBuiltin("node:buffer");
      // Node's string write: an unknown encoding is utf8, an odd-length hex string is refused.
      const encoding = (typeof third === "string" && Buffer.isEncoding(third) ? third : "utf8") as Encoding;
      if (encoding.toLowerCase() === "hex" && data.length % 2 !== 0) throw invalidArgValue("encoding", `is invalid for data of length ${data.length}`, third);
      const bytes = Buffer.from(data, encoding);
      // Its position is a number or the cursor (a bigint too, as for a buffer's write).
      const position = typeof second === "number" ? second : null;
      const bytesWritten = bytes.byteLength === 0 ? this.#emptyWrite() : await this.#transfer("write", position, (at) => this.file.writeAt(at, bytes));
      return { bytesWritten, buffer: data };
    }
    if (!ArrayBuffer.isView(data)) throw invalidArgType("buffer", "of type string or an instance of Buffer, TypedArray, or DataView", data);
    if (data.byteLength === 0) return { bytesWritten: 0, buffer: data };
    // Node 20 takes an object second argument, `null` included, as the options (all of the
    // buffer at the cursor), unlike read's `null` offset; length and position are then ignored.
    const args = typeof second === "object" ? (second ?? {}) : { offset: second, length: third as number | null | undefined, position: fourth };
    const offset = args.offset == null ? 0 : validateInteger(args.offset, "offset", 0);
    const length = typeof args.length === "number" ? args.length : data.byteLength - offset;
    if (offset > data.byteLength) throw outOfRange("offset", `<= ${data.byteLength}`, offset);
    if (length > data.byteLength - offset) throw outOfRange("length", `<= ${data.byteLength - offset}`, length);
    if (length < 0 || !Number.isInteger(length)) throw outOfRange("length", ">= 0", length);
    if (length === 0) return { bytesWritten: this.#emptyWrite(), buffer: data };
    const src = bytesOf(data, offset, length);
    // Node's position for a write is a number or nothing: a bigint means the cursor there.
    const position = typeof args.position === "number" ? args.position : null;
    const bytesWritten = await this.#transfer("write", position, (at) => this.file.writeAt(at, src));
    return { bytesWritten, buffer: data };
  }

  /** Fills the buffers in order; short only at the end of the file. */
  async readv<T extends readonly View[]>(buffers: T, position?: number | null): Promise<{ bytesRead: number; buffers: T }> {
    this.#assertOpen("readv");
    const views = checkBufferArray(buffers).map((buffer) => bytesOf(buffer));
    // libuv refuses a read into no buffers, so Node's readv([]) fails EINVAL.
    if (views.length === 0) throw nodeShaped(new IoError("InvalidInput", "readv: no buffers", { op: "read", path: this.file.path }), "read");
    const bytesRead = await this.#transfer("read", typeof position === "number" ? position : null, async (at) => {
      let done = 0;
      for (const view of views) {
        const count = await this.file.readAt(at + done, view);
        done += count;
        if (count < view.byteLength) break;
      }
      return done;
    });
    return { bytesRead, buffers };
  }

  /** Writes the buffers in order; stops at the first short write. */
  async writev<T extends readonly View[]>(buffers: T, position?: number | null): Promise<{ bytesWritten: number; buffers: T }> {
    this.#assertOpen("writev");
    const views = checkBufferArray(buffers).map((buffer) => bytesOf(buffer));
    if (views.length === 0) return { bytesWritten: 0, buffers };
    if (views.every((view) => view.byteLength === 0)) return { bytesWritten: this.#emptyWrite(), buffers };
    const bytesWritten = await this.#transfer("write", typeof position === "number" ? position : null, async (at) => {
      let done = 0;
      for (const view of views) {
        const count = view.byteLength === 0 ? 0 : await this.file.writeAt(at + done, view);
        done += count;
        if (count < view.byteLength) break;
      }
      return done;
    });
    return { bytesWritten, buffers };
  }

  /** From the cursor to the end of the file (the cursor moves there), as a Buffer or a string. */
  readFile(options?: { encoding?: null | undefined; signal?: AbortSignal | undefined; flag?: string | number | undefined } | null): Promise<NonSharedBuffer>;
  readFile(options: { encoding: Encoding; signal?: AbortSignal | undefined; flag?: string | number | undefined } | Encoding): Promise<string>;
  readFile(options?: { encoding?: Encoding | null | undefined; signal?: AbortSignal | undefined } | Encoding | null): Promise<string | NonSharedBuffer>;
  async readFile(options?: { encoding?: Encoding | null | undefined; signal?: AbortSignal | undefined } | Encoding | null): Promise<string | NonSharedBuffer> {
    this.#assertOpen("readFile");
    // Node checks its options before any I/O: a bad one leaves the cursor where it was.
    const given = fileOptions(options);
    const encoding = checkedEncoding(given.encoding);
    const signal = checkedSignal(given.signal);
    if (signal?.aborted === true) throw abortedBy(signal, "readFile", this.file.path);
    let data: Uint8Array = new Uint8Array(0);
    await this.#transfer("read", null, async (at) => {
      // Node's guard: a regular file over 2 GiB - 1 is refused before it is read into memory.
      const stat = await this.file.stat();
      if (stat.type === "file" && stat.size > READ_FILE_MAX) throw fileTooLarge(stat.size);
      if (signal?.aborted === true) throw abortedBy(signal, "readFile", this.file.path);
      data = await this.file.readToEnd(at);
      return data.byteLength;
    });
    // readToEnd's buffer is a fresh ArrayBuffer (never shared memory): Node's readFile gives the same.
    const bytes = nodeBuiltin("node:buffer").Buffer.from(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return encoding == null ? bytes : bytes.toString(encoding);
  }

  /** Writes `data` at the cursor (not from the start, and without truncating: Node's rule for handles). */
  async writeFile(
    data: string | Uint8Array | Iterable<string | View> | AsyncIterable<string | View>,
    options?: { encoding?: Encoding | null; signal?: AbortSignal | undefined; flush?: boolean | undefined } | Encoding | null,
  ): Promise<void> {
    this.#assertOpen("writeFile");
    // Node's checks, all before the first byte is written.
    const given = fileOptions(options);
    const encoding = checkedEncoding(given.encoding) ?? "utf8";
    const flush = given.flush ?? false;
    if (typeof flush !== "boolean") throw invalidArgType("options.flush", "of type boolean", flush);
    const iterable = typeof data === "object" && data !== null && !ArrayBuffer.isView(data) && (Symbol.iterator in data || Symbol.asyncIterator in data);
    if (typeof data !== "string" && !ArrayBuffer.isView(data) && !iterable) throw invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
    const signal = checkedSignal(given.signal);
    const { Buffer } = nodeBuiltin("node:buffer");
    const toBytes = (chunk: string | View): Uint8Array => (typeof chunk === "string" ? Buffer.from(chunk, encoding) : bytesOf(chunk));
    const parts = data as AsyncIterable<string | View> | Iterable<string | View>;
    const checkAborted = (): void => {
      if (signal?.aborted === true) throw abortedBy(signal, "writeFile", this.file.path);
    };
    // As Node: the signal is looked at before each chunk and after each write of an iterable's
    // (what was written stays); a single buffer or string is checked once, before it starts.
    const writeAtCursor = async (bytes: Uint8Array): Promise<void> => {
      if (bytes.byteLength === 0) return;
      await this.#transfer("write", null, async (at) => {
        await this.file.writeAllAt(at, bytes);
        return bytes.byteLength;
      });
    };
    checkAborted();
    // Checked once, before this call returns: a signal that fires during the write leaves it whole.
    if (typeof data === "string" || ArrayBuffer.isView(data)) return writeAtCursor(toBytes(data));
    for await (const part of parts) {
      checkAborted();
      await writeAtCursor(toBytes(part));
      checkAborted();
    }
  }

  /** Same as `writeFile`: a handle's mode is fixed at open (Node's rule). */
  appendFile(
    data: string | Uint8Array | Iterable<string | View> | AsyncIterable<string | View>,
    options?: { encoding?: Encoding | null; signal?: AbortSignal | undefined; flush?: boolean | undefined } | Encoding | null,
  ): Promise<void> {
    return this.writeFile(data, options);
  }

  /** Node's Stats from the pktio stat; `{ bigint: true }` is refused (ERR_INVALID_ARG_VALUE). */
  stat(options?: { bigint?: false | undefined }): Promise<Stats>;
  stat(options: { bigint: true }): Promise<BigIntStats>;
  stat(options?: { bigint?: boolean | undefined }): Promise<Stats | BigIntStats>;
  async stat(options?: { bigint?: boolean | undefined }): Promise<Stats | BigIntStats> {
    this.#assertOpen("fstat");
    if (options?.bigint === true) throw invalidArgValue("options.bigint", "is not supported by toNodeFileHandle (the pktio stat has number fields)", true);
    return new NodeStats(await this.#call("fstat", () => this.file.stat()));
  }

  /** Node's rule: a negative length truncates to 0. */
  async truncate(len: number = 0): Promise<void> {
    this.#assertOpen("ftruncate");
    const length = Math.max(0, validateInteger(len, "len"));
    return this.#call("ftruncate", () => this.file.truncate(length));
  }

  /** fsync. */
  async sync(): Promise<void> {
    this.#assertOpen("fsync");
    return this.#call("fsync", () => this.file.sync());
  }

  /** fdatasync. */
  async datasync(): Promise<void> {
    this.#assertOpen("fdatasync");
    return this.#call("fdatasync", () => this.file.datasync());
  }

  /**
   * Rejects with kind Unsupported (ENOTSUP): a pktio file has no chmod; so do `chown` and
   * `utimes`. Node's argument checks come first, and a closed handle is EBADF, as Node's.
   */
  async chmod(mode: string | number): Promise<void> {
    this.#assertOpen("fchmod");
    // Node's parseFileMode: an octal string, else a uint32 (ERR_INVALID_ARG_TYPE for another type).
    if (typeof mode === "string" && !/^[0-7]+$/.test(mode)) throw invalidArgValue("mode", "must be a 32-bit unsigned integer or an octal string", mode);
    if (typeof mode !== "string") validateInteger(mode, "mode", 0, 2 ** 32 - 1);
    throw this.#unsupported("fchmod");
  }
  /** See `chmod`. */
  async chown(uid: number, gid: number): Promise<void> {
    this.#assertOpen("fchown");
    validateInteger(uid, "uid", -1, 2 ** 32 - 1);
    validateInteger(gid, "gid", -1, 2 ** 32 - 1);
    throw this.#unsupported("fchown");
  }
  /** See `chmod`. */
  async utimes(atime: string | number | Date, mtime: string | number | Date): Promise<void> {
    this.#assertOpen("futimes");
    // Node's times: a number, a numeric string or a Date.
    for (const [name, time] of [["atime", atime], ["mtime", mtime]] as const) {
      // Node's toUnixTimestamp: a string that is a number by loose equality (" 12 ") counts as one.
      // eslint-disable-next-line eqeqeq
      if (typeof time !== "number" && !(time instanceof Date) && !(typeof time === "string" && Number(time) == (time as unknown as number))) throw invalidArgType(name, "an instance of Date or a Time in seconds", time);
    }
    throw this.#unsupported("futimes");
  }

  /** Closes the pktio file; idempotent, as Node's. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.file.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Node's `fs.ReadStream` over this handle: `start`/`end` inclusive, `highWaterMark`, `encoding`, `autoClose` (default true: closes the handle at the end). */
  createReadStream(options?: CreateReadStreamOptions): ReadStream {
    // Node refuses a FileHandle stream with its own `fs` (its calls would bypass the handle).
    if ((options as { fs?: unknown } | undefined)?.fs !== undefined) throw methodNotImplemented("FileHandle with fs");
    return facadeReadStream(this, this.#streamFd(), options);
  }

  /** Node's `fs.WriteStream` over this handle (`start`, `highWaterMark`, `autoClose`, `flush`). */
  createWriteStream(options?: CreateWriteStreamOptions): WriteStream {
    if ((options as { fs?: unknown } | undefined)?.fs !== undefined) throw methodNotImplemented("FileHandle with fs");
    return facadeWriteStream(this, this.#streamFd(), options);
  }

  /** Node's `readLines`: a readline interface over `createReadStream(options)`. */
  readLines(options?: CreateReadStreamOptions): ReadlineInterface {
    return nodeBuiltin("node:readline").createInterface({ input: this.createReadStream(options), crlfDelay: Infinity });
  }

  /**
   * A WHATWG stream reading from the cursor, as Node's `readableWebStream`: one per handle
   * (ERR_INVALID_STATE for a second, or once closed). Node 20 and 21 make a byte stream only
   * with `{ type: "bytes" }` and otherwise one of ArrayBuffer chunks; later Node always makes a
   * byte stream (Uint8Array chunks, BYOB readers), and so does this on those versions.
   */
  readableWebStream(options: { type?: "bytes" | undefined } = {}): ReadableStream {
    if (this.#isClosed()) throw invalidState("The FileHandle is closed");
    if (this.#webStreamMade) throw invalidState("The FileHandle is locked");
    // Locked before its options are checked, as Node's.
    this.#webStreamMade = true;
    if (options === null || typeof options !== "object") throw invalidArgType("options", "of type object", options);
    if (options.type !== undefined && typeof options.type !== "string") throw invalidArgType("options.type", "of type string", options.type);
    if (options.type !== "bytes" && nodeMajor() < 22) {
      return new ReadableStream<ArrayBuffer>({
        pull: async (controller) => {
          const chunk = new Uint8Array(16384);
          const { bytesRead } = await this.read(chunk, 0, chunk.byteLength, null);
          if (bytesRead === 0) controller.close();
          else controller.enqueue(chunk.buffer.slice(0, bytesRead));
        },
      });
    }
    return new ReadableStream({
      type: "bytes",
      autoAllocateChunkSize: 16384,
      pull: async (controller) => {
        const request = controller.byobRequest;
        const view = request?.view;
        if (request == null || view == null) return;
        const { bytesRead } = await this.read(bytesOf(view as View), 0, view.byteLength, null);
        if (bytesRead === 0) controller.close();
        request.respond(bytesRead);
      },
    });
  }

  #isClosed(): boolean {
    return this.#closed || this.file.closed;
  }

  #assertOpen(syscall: string): void {
    if (this.#isClosed()) throw fileClosed(syscall, this.file.path);
  }

  async #call<T>(syscall: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw nodeShaped(error, syscall);
    }
  }

  /** Runs a transfer at `position`, or at the cursor after every earlier cursor call, advancing it by the count. */
  #transfer(syscall: string, position: unknown, run: (at: number) => Promise<number>): Promise<number> {
    const at = explicitPosition(position);
    if (at !== undefined) return this.#call(syscall, () => run(at));
    const result = this.#cursorTail.then(async () => {
      const count = await this.#call(syscall, () => run(this.#position));
      this.#position += count;
      return count;
    });
    this.#cursorTail = result.then(noop, noop);
    return result;
  }

  /** A write of no bytes: Node still makes the call, which fails EBADF on a handle opened without write. */
  #emptyWrite(): number {
    if (!this.file.writable) throw fileClosed("write", this.file.path, "bad file descriptor");
    return 0;
  }

  #streamFd(): number {
    // Node's own streams refuse a closed handle's fd (-1) so.
    if (this.#isClosed()) throw outOfRange("fd", ">= 0 && <= 2147483647", -1);
    // fs streams want a descriptor number; every read and write goes through this handle instead.
    // A file without one (HTTP, WebDAV, MemoryIo) gets a placeholder that is never 0: Node's
    // streams skip their close (autoClose) when `!stream.fd`, and the handle then stayed open.
    const fd = this.fd;
    return fd > 0 ? fd : STREAM_PLACEHOLDER_FD;
  }

  #unsupported(syscall: string): IoError {
    return nodeShaped(new IoError("Unsupported", `${syscall}: a pktio file has no such operation`, { op: syscall, path: this.file.path }), syscall) as IoError;
  }
}

/** Node's `fs.promises.FileHandle` over a pktio file: pass it to libraries written for `fs.promises.open()`. */
export function toNodeFileHandle(file: FileHandle): NodeFileHandle {
  return new NodeFileHandle(file);
}
