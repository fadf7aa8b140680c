/**
 * The positional read/write helpers, derived once from `sendIo` as colorless programs, each in
 * an async and a `*Sync` form. Reads are short only at end of file; every other error throws.
 */
import { IoError } from "./IoError.js";
import { checkIoOptions, type IoOptions } from "./IoOptions.js";
import { ioSync, request, runIo, runIoSync, type IoProgram } from "./IoProgram.js";
import { checkBytes, checkPos } from "./internal/validate.js";
import { Packet } from "./Packet.js";
import type { PacketIo, Pos } from "./PacketIo.js";
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

export function* readAtProgram(target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): IoProgram<number> {
  const position = checkPos(pos, "pos", "readAt");
  checkBytes(dst, "dst", "readAt");
  return readCount(yield request(target, position, Packet.wrap(dst, Write), checkIoOptions(options, "readAt")));
}

export function* readExactAtProgram(target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): IoProgram<void> {
  const position = checkPos(pos, "pos", "readExactAt");
  checkBytes(dst, "dst", "readExactAt");
  const result = yield request(target, position, Packet.wrap(dst, Write), checkIoOptions(options, "readExactAt"));
  const transferred = readCount(result);
  if (transferred < dst.byteLength) {
    throw new IoError("UnexpectedEof", `readExactAt: needed ${dst.byteLength} bytes at ${position}, the data ends after ${transferred}`, {
      op: "readExactAt",
      cause: result.error,
    });
  }
}

export function* readToEndProgram(target: ReadTarget, pos: Pos = 0): IoProgram<Uint8Array> {
  let position = checkPos(pos, "pos", "readToEnd");
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let size = FIRST_CHUNK; ; size = Math.min(size * 2, MAX_CHUNK)) {
    const chunk = new Uint8Array(size);
    const transferred = readCount(yield request(target, position, Packet.wrap(chunk, Write)));
    chunks.push(transferred === size ? chunk : chunk.subarray(0, transferred));
    total += transferred;
    position += transferred;
    if (transferred < size) break;
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
  checkBytes(src, "src", "writeAt");
  const result = yield request(target, position, Packet.wrap(src, Read), checkIoOptions(options, "writeAt"));
  if (result.error !== undefined) throw result.error;
  return result.transferred;
}

export function* writeAllAtProgram(target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): IoProgram<void> {
  const transferred = yield* writeAtProgram(target, pos, src, options);
  if (transferred < src.byteLength) {
    throw new IoError("Other", `writeAllAt: only ${transferred} of ${src.byteLength} bytes were written`, { op: "writeAllAt" });
  }
}

/** Reads up to `dst.length` bytes at `pos`; fewer only at the end of the data. */
export const readAt = (target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): Promise<number> => runIo(readAtProgram(target, pos, dst, options));
/** Fills `dst` from `pos`, or throws kind UnexpectedEof. */
export const readExactAt = (target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): Promise<void> => runIo(readExactAtProgram(target, pos, dst, options));
/** Reads everything from `pos` to the end. */
export const readToEnd = (target: ReadTarget, pos: Pos = 0): Promise<Uint8Array> => runIo(readToEndProgram(target, pos));
/** Writes `src` at `pos`; returns the bytes written. */
export const writeAt = (target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): Promise<number> => runIo(writeAtProgram(target, pos, src, options));
/** Writes all of `src` at `pos`, or throws. */
export const writeAllAt = (target: WriteTarget, pos: Pos, src: Uint8Array, options?: IoOptions): Promise<void> => runIo(writeAllAtProgram(target, pos, src, options));

/** The one-request sync read skips the generator (the hot path of sync callers): same checks, same rule. */
export const readAtSync = (target: ReadTarget, pos: Pos, dst: Uint8Array, options?: IoOptions): number => {
  const position = checkPos(pos, "pos", "readAt");
  checkBytes(dst, "dst", "readAt");
  return readCount(ioSync(target, position, Packet.wrap(dst, Write), checkIoOptions(options, "readAt")));
};
export const readExactAtSync = (target: ReadTarget, pos: Pos, dst: Uint8Array): void => runIoSync(readExactAtProgram(target, pos, dst));
export const readToEndSync = (target: ReadTarget, pos: Pos = 0): Uint8Array => runIoSync(readToEndProgram(target, pos));
export const writeAtSync = (target: WriteTarget, pos: Pos, src: Uint8Array): number => runIoSync(writeAtProgram(target, pos, src));
export const writeAllAtSync = (target: WriteTarget, pos: Pos, src: Uint8Array): void => runIoSync(writeAllAtProgram(target, pos, src));
