/**
 * The positional read/write helpers, derived once from `sendIo` as colorless programs, each in
 * an async and a `*Sync` form. Reads are short only at end of file; every other error throws.
 */
import { IoError } from "./IoError.js";
import { checkIoOptions, type IoOptions } from "./IoOptions.js";
import { sendPacket } from "./io.js";
import { ioSync, request, runIo, runIoSync, type IoProgram } from "./IoProgram.js";
import { promiseOf, Settler } from "./internal/settler.js";
import { checkBytes, checkPos, checkShared } from "./internal/validate.js";
import { Packet } from "./Packet.js";
import type { DirectAsync, DirectSync, PacketIo, Pos } from "./PacketIo.js";
import type { PacketResult } from "./PacketOutput.js";
import { Read, Write } from "./Perm.js";

/** A target that can be read from at positions. */
export type ReadTarget = PacketIo<Write, Pos>;
/** A target that can be written to at positions. */
export type WriteTarget = PacketIo<Read, Pos>;

const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

/** True for the kinds that mean "the data ends here". */
export function isEof(error: IoError | undefined): boolean {
  return error !== undefined && (error.kind === "UnexpectedEof" || error.kind === "Outside");
}

function readCount(result: PacketResult): number {
  if (result.error !== undefined && !isEof(result.error)) throw result.error;
  return result.transferred;
}

/** The error of a read that ended before filling its buffer (package-internal; not exported from the index). */
export function shortRead(position: number, wanted: number, got: number, cause?: IoError): IoError {
  return new IoError("UnexpectedEof", `readExactAt: needed ${wanted} bytes at ${position}, the data ends after ${got}`, { op: "readExactAt", cause });
}

/**
 * The error of a `writeAllAt` that stopped short: the kind of the failure that stopped it (NoSpace,
 * …, or Other when the OS made no progress) and `transferred`, the bytes written before it — the
 * packet model's leading successful run (error_clamp). The first failure stops the write: no
 * backend writes past it.
 */
export class PartialWriteError extends IoError {
  /** Bytes written from the start of the buffer before the failure. */
  readonly transferred: number;
  constructor(position: number, wanted: number, transferred: number, cause?: IoError) {
    const why = cause === undefined ? "the write made no progress" : cause.message;
    super(cause?.kind ?? "Other", `writeAllAt: wrote ${transferred} of ${wanted} bytes at ${position}: ${why}`, {
      op: "writeAllAt",
      ...(cause?.code === undefined ? {} : { code: cause.code }),
      ...(cause?.errno === undefined ? {} : { errno: cause.errno }),
      ...(cause?.backend === undefined ? {} : { backend: cause.backend }),
      ...(cause?.path === undefined ? {} : { path: cause.path }),
      cause,
    });
    this.transferred = transferred;
  }
}

export function* readAtProgram(target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): IoProgram<number> {
  const position = checkPos(pos, "pos", "readAt");
  const shared = checkShared(dst, "dst", "readAt");
  return readCount(yield request(target, position, Packet.wrapChecked(dst, Write, shared), checkIoOptions(options, "readAt")));
}

export function* readExactAtProgram(target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): IoProgram<void> {
  const position = checkPos(pos, "pos", "readExactAt");
  const shared = checkShared(dst, "dst", "readExactAt");
  const result = yield request(target, position, Packet.wrapChecked(dst, Write, shared), checkIoOptions(options, "readExactAt"));
  const transferred = readCount(result);
  if (transferred < dst.byteLength) throw shortRead(position, dst.byteLength, transferred, result.error);
}

/**
 * Reads from `pos` to the end, in growing chunks. `options` apply to each read it makes: a
 * signal aborts the whole, `timeoutMs` bounds every read (a FIFO nobody writes then fails
 * TimedOut instead of waiting for ever).
 */
export function* readToEndProgram(target: ReadTarget, pos: Pos = 0, options?: IoOptions): IoProgram<Uint8Array> {
  let position = checkPos(pos, "pos", "readToEnd");
  const checked = checkIoOptions(options, "readToEnd");
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let size = FIRST_CHUNK; ; size = Math.min(size * 2, MAX_CHUNK)) {
    const chunk = new Uint8Array(size);
    const transferred = readCount(yield request(target, position, Packet.wrap(chunk, Write), checked));
    chunks.push(transferred === size ? chunk : chunk.subarray(0, transferred));
    total += transferred;
    position += transferred;
    // A short read is the end, except on a stream-like target (a FIFO): there only 0 is.
    if (transferred < size && (transferred === 0 || target.streamLike !== true)) break;
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const whole = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
}

export function* writeAtProgram(target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): IoProgram<number> {
  const position = checkPos(pos, "pos", "writeAt");
  const shared = checkShared(src, "src", "writeAt");
  const result = yield request(target, position, Packet.wrapChecked(src, Read, shared), checkIoOptions(options, "writeAt"));
  // A write that failed after moving bytes returns the short count (the leading run that
  // reached the file); the caller's next write of the rest meets the error.
  if (result.error !== undefined && result.transferred === 0) throw result.error;
  return result.transferred;
}

export function* writeAllAtProgram(target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): IoProgram<void> {
  const position = checkPos(pos, "pos", "writeAllAt");
  const shared = checkShared(src, "src", "writeAllAt");
  // Read before the write: a caller that detaches src meanwhile leaves it 0 ("wrote N of 0").
  const wanted = src.byteLength;
  const result = yield request(target, position, Packet.wrapChecked(src, Read, shared), checkIoOptions(options, "writeAllAt"));
  if (result.error !== undefined || result.transferred < wanted) throw new PartialWriteError(position, wanted, result.transferred, result.error);
}

/** Reads up to `dst.length` bytes at `pos`; fewer only at the end of the data. */
export const readAt = (target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): Promise<number> => startRead(target, pos, dst, options, "readAt", false);

/**
 * `readAt` and `readExactAt`: the one-request helpers without the generator. One promise and one
 * output per read (the program cost ~10 % of uring's cached-read rate at 64 in flight, measured
 * 2026-11-22), and no closure either (see ReadAtOutput). Bad arguments reject, never throw.
 */
function startRead(target: ReadTarget, pos: Pos, dst: Uint8Array, options: IoOptions | undefined, name: string, exact: boolean): Promise<number> {
  let position: number;
  let checked: IoOptions | undefined;
  let shared: boolean;
  try {
    position = checkPos(pos, "pos", name);
    // The target's packet-free read, when it has one (DirectAsync): same results, same errors.
    // It checks `dst` itself (it is public) and declines whatever checkShared below would refuse,
    // so the buffer is inspected once on this path. readExactAt checks the count it gives (as
    // readExactAtSync does with DirectSync's): a short one is UnexpectedEof, without a cause.
    if (options === undefined) {
      const direct = directRead(target, position, dst);
      if (direct !== undefined) {
        if (!exact) return direct;
        // Only a real buffer gets a direct read; its length as the call found it.
        const wanted = dst.byteLength;
        return direct.then((count) => exactCount(position, wanted, count));
      }
    }
    shared = checkShared(dst, "dst", name);
    checked = checkIoOptions(options, name);
  } catch (error) {
    return Promise.reject(error);
  }
  const output = exact ? new ReadExactOutput(position, dst.byteLength) : new ReadAtOutput();
  const done = promiseOf(output);
  try {
    sendPacket(target, position, Packet.wrapChecked(dst, Write, shared), output, checked);
  } catch (error) {
    output.reject(error);
  }
  return done;
}

/**
 * The target's DirectAsync read of `dst` at `position`, or undefined when it has none or declines
 * (package-internal: readAt, readExactAt and readNumberAt share it; not exported from the index).
 * A target that throws has broken its contract (it declines or returns a promise): the throw
 * becomes the read's rejection, an IoError as the packet path makes of a throwing `sendIo`.
 */
export function directRead(target: unknown, position: number, dst: Uint8Array): Promise<number> | undefined {
  try {
    return (target as Partial<DirectAsync> | null)?.readAtDirectAsync?.(position, dst);
  } catch (thrown) {
    return Promise.reject(thrown instanceof IoError ? thrown : new IoError("Other", `readAtDirectAsync threw: ${String(thrown)}`, { op: "readAtDirectAsync", cause: thrown }));
  }
}

/** readExactAt's answer to a direct read's count: nothing when it filled `wanted` bytes, else UnexpectedEof. */
function exactCount(position: number, wanted: number, count: number): number {
  if (count < wanted) throw shortRead(position, wanted, count);
  return undefined as unknown as number;
}

/**
 * The output of one `readAt`, which settles its promise. A class (a Settler) instead of closures:
 * with thousands of reads in flight, every object per read is garbage the young generation
 * copies (the collector took 30 % of the thread at 16384 in flight).
 */
class ReadAtOutput extends Settler<number> {
  onDone(result: PacketResult): void {
    if (result.error !== undefined && !isEof(result.error)) this.reject(result.error);
    else this.resolve(result.transferred);
  }
}

/** Fills `dst` from `pos`, or throws kind UnexpectedEof. Built like `readAt`, without the generator. */
export const readExactAt = (target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): Promise<void> =>
  startRead(target, pos, dst, options, "readExactAt", true) as Promise<unknown> as Promise<void>;

/** The output of one `readExactAt`: a short read is kind UnexpectedEof, as in `readExactAtProgram`. */
class ReadExactOutput extends ReadAtOutput {
  constructor(
    readonly position: number,
    readonly wanted: number,
  ) {
    super();
  }
  override onDone(result: PacketResult): void {
    if (result.error !== undefined && !isEof(result.error)) this.reject(result.error);
    else if (result.transferred < this.wanted) this.reject(shortRead(this.position, this.wanted, result.transferred, result.error));
    else this.resolve(undefined as unknown as number);
  }
}
/** Reads everything from `pos` to the end. */
export const readToEnd = (target: ReadTarget, pos: Pos = 0, options?: IoOptions): Promise<Uint8Array> => runIo(readToEndProgram(target, pos, options));
/** Writes `src` at `pos`; returns the bytes written. */
export const writeAt = (target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): Promise<number> => runIo(writeAtProgram(target, pos, src, options));
/** Writes all of `src` at `pos`, or throws. */
export const writeAllAt = (target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): Promise<void> => runIo(writeAllAtProgram(target, pos, src, options));

/** The target's packet-free blocking path, when it has one and the call has no options to honour. */
function directOf(target: unknown, options: IoOptions | undefined): DirectSync | undefined {
  if (options !== undefined && (options.signal !== undefined || options.timeoutMs !== undefined)) return undefined;
  return typeof (target as Partial<DirectSync> | null)?.readAtDirect === "function" ? (target as DirectSync) : undefined;
}

// The sync forms of the one-request helpers skip the generator (the hot path of sync callers) and
// try the target's DirectSync first: same checks, same results, same errors.

export const readAtSync = (target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): number => {
  const position = checkPos(pos, "pos", "readAt");
  const shared = checkShared(dst, "dst", "readAt");
  const checked = checkIoOptions(options, "readAt");
  const count = directOf(target, checked)?.readAtDirect(position, dst);
  return count ?? readCount(ioSync(target, position, Packet.wrapChecked(dst, Write, shared), checked));
};
export const readExactAtSync = (target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): void => {
  const position = checkPos(pos, "pos", "readExactAt");
  checkBytes(dst, "dst", "readExactAt");
  const checked = checkIoOptions(options, "readExactAt");
  const count = directOf(target, checked)?.readAtDirect(position, dst);
  if (count !== undefined) {
    if (count < dst.byteLength) throw shortRead(position, dst.byteLength, count);
    return;
  }
  runIoSync(readExactAtProgram(target, position, dst, checked));
};
export const readToEndSync = (target: ReadTarget, pos: Pos = 0, options?: IoOptions): Uint8Array => runIoSync(readToEndProgram(target, pos, options));
export const writeAtSync = (target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): number => {
  const position = checkPos(pos, "pos", "writeAt");
  checkBytes(src, "src", "writeAt");
  const checked = checkIoOptions(options, "writeAt");
  const count = directOf(target, checked)?.writeAtDirect(position, src);
  if (count === undefined) return runIoSync(writeAtProgram(target, position, src, checked));
  if (count === 0 && src.byteLength > 0) throw new IoError("Other", `writeAt: the write at ${position} made no progress`, { op: "writeAt" });
  return count;
};
export const writeAllAtSync = (target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): void => {
  const position = checkPos(pos, "pos", "writeAllAt");
  checkBytes(src, "src", "writeAllAt");
  const checked = checkIoOptions(options, "writeAllAt");
  const direct = directOf(target, checked);
  let written = 0;
  // The direct path returns a short count when it failed after moving bytes; writing the rest
  // then meets the failure itself, which the error carries with the count.
  while (direct !== undefined && written < src.byteLength) {
    let count: number | undefined;
    try {
      count = direct.writeAtDirect(position + written, src.subarray(written));
    } catch (error) {
      throw new PartialWriteError(position, src.byteLength, written, error instanceof IoError ? error : undefined);
    }
    if (count === undefined) break;
    if (count === 0) throw new PartialWriteError(position, src.byteLength, written);
    written += count;
  }
  if (written === src.byteLength) return;
  try {
    runIoSync(writeAllAtProgram(target, position + written, src.subarray(written), checked));
  } catch (error) {
    if (!(error instanceof PartialWriteError) || written === 0) throw error;
    throw new PartialWriteError(position, src.byteLength, written + error.transferred, error.cause as IoError | undefined);
  }
};
