/**
 * Strict typed reads and writes of fixed-size numbers at positions: u8…u64, i8…i64, f32, f64,
 * little- or big-endian. 64-bit integers are bigints. A short read is kind UnexpectedEof (unlike
 * mfio's `read<T>`, which leaves the rest undefined); an out-of-range value is InvalidInput.
 */
import { IoError } from "./IoError.js";
import { runIo, type IoProgram } from "./IoProgram.js";
import type { IoOptions } from "./IoOptions.js";
import type { Pos } from "./PacketIo.js";
import { checkPos } from "./internal/validate.js";
import { sendPacket } from "./io.js";
import { Packet } from "./Packet.js";
import type { DirectSync } from "./PacketIo.js";
import type { PacketResult } from "./PacketOutput.js";
import { Write } from "./Perm.js";
import { directRead, isEof, readExactAtProgram, readExactAtSync, shortRead, writeAllAtProgram, writeAllAtSync, type ReadTarget, type WriteTarget } from "./readWrite.js";

/** Byte order of a multi-byte number: little or big endian. */
export type Endian = "le" | "be";
/** The multi-byte number types, before their byte order. */
export type Sized = "u16" | "i16" | "u32" | "i32" | "u64" | "i64" | "f32" | "f64";
/** A number type name, e.g. `"u8"`, `"u32le"`, `"i64be"`, `"f64le"`. */
export type NumberType = "u8" | "i8" | `${Sized}${Endian}`;
/** 64-bit integers are bigints, everything else a number. */
export type NumberValue<T extends NumberType> = T extends `${"u64" | "i64"}${string}` ? bigint : number;

interface Codec {
  readonly size: number;
  get(view: DataView, littleEndian: boolean): number | bigint;
  set(view: DataView, value: number | bigint, littleEndian: boolean): void;
  check(value: unknown): boolean;
  readonly range: string;
}

const int = (bits: number, signed: boolean): ((value: unknown) => boolean) => {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return (value) => typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
};
const big = (signed: boolean): ((value: unknown) => boolean) => {
  const min = signed ? -(2n ** 63n) : 0n;
  const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
  return (value) => typeof value === "bigint" && value >= min && value <= max;
};
const float = (value: unknown): boolean => typeof value === "number";

const codecs: Record<string, Codec> = {
  u8: { size: 1, get: (v) => v.getUint8(0), set: (v, x) => v.setUint8(0, x as number), check: int(8, false), range: "an integer 0 … 255" },
  i8: { size: 1, get: (v) => v.getInt8(0), set: (v, x) => v.setInt8(0, x as number), check: int(8, true), range: "an integer -128 … 127" },
  u16: { size: 2, get: (v, le) => v.getUint16(0, le), set: (v, x, le) => v.setUint16(0, x as number, le), check: int(16, false), range: "an integer 0 … 65535" },
  i16: { size: 2, get: (v, le) => v.getInt16(0, le), set: (v, x, le) => v.setInt16(0, x as number, le), check: int(16, true), range: "an integer -32768 … 32767" },
  u32: { size: 4, get: (v, le) => v.getUint32(0, le), set: (v, x, le) => v.setUint32(0, x as number, le), check: int(32, false), range: "an integer 0 … 2^32-1" },
  i32: { size: 4, get: (v, le) => v.getInt32(0, le), set: (v, x, le) => v.setInt32(0, x as number, le), check: int(32, true), range: "an integer -2^31 … 2^31-1" },
  u64: { size: 8, get: (v, le) => v.getBigUint64(0, le), set: (v, x, le) => v.setBigUint64(0, x as bigint, le), check: big(false), range: "a bigint 0n … 2n**64n-1n" },
  i64: { size: 8, get: (v, le) => v.getBigInt64(0, le), set: (v, x, le) => v.setBigInt64(0, x as bigint, le), check: big(true), range: "a bigint -(2n**63n) … 2n**63n-1n" },
  f32: { size: 4, get: (v, le) => v.getFloat32(0, le), set: (v, x, le) => v.setFloat32(0, x as number, le), check: float, range: "a number" },
  f64: { size: 8, get: (v, le) => v.getFloat64(0, le), set: (v, x, le) => v.setFloat64(0, x as number, le), check: float, range: "a number" },
};

interface Resolved {
  readonly codec: Codec;
  readonly littleEndian: boolean;
}

/** Every valid type name, resolved once: the typed hot paths look a name up instead of parsing it. */
const resolved = new Map<string, Resolved>();
for (const [name, codec] of Object.entries(codecs)) {
  if (codec.size === 1) resolved.set(name, { codec, littleEndian: false });
  else for (const endian of ["le", "be"] as const) resolved.set(name + endian, { codec, littleEndian: endian === "le" });
}

function codecOf(type: unknown): Resolved {
  const found = typeof type === "string" ? resolved.get(type) : undefined;
  if (found !== undefined) return found;
  throw new IoError("InvalidInput", `type must be a number type such as "u8", "u32le", "i64be", "f64le"; got ${JSON.stringify(type)}`, { op: "numbers" });
}

/** Byte size of a number type. */
export function sizeOfNumber(type: NumberType): number {
  return codecOf(type).codec.size;
}

/** Encodes one value into fresh bytes. */
export function encodeNumber<T extends NumberType>(type: T, value: NumberValue<T>): Uint8Array {
  const { codec, littleEndian } = codecOf(type);
  if (!codec.check(value)) throw new IoError("InvalidInput", `value for ${type} must be ${codec.range}, got ${String(value)}`, { op: "writeNumberAt" });
  const bytes = new Uint8Array(codec.size);
  codec.set(new DataView(bytes.buffer), value, littleEndian);
  return bytes;
}

/** Decodes one value from the first bytes of `bytes`. */
export function decodeNumber<T extends NumberType>(type: T, bytes: Uint8Array): NumberValue<T> {
  const { codec, littleEndian } = codecOf(type);
  if (bytes.byteLength < codec.size) throw new IoError("UnexpectedEof", `${type} needs ${codec.size} bytes, got ${bytes.byteLength}`, { op: "decodeNumber" });
  return codec.get(new DataView(bytes.buffer, bytes.byteOffset, codec.size), littleEndian) as NumberValue<T>;
}

/** Reads one number at `pos` as a program; `options` as for `readExactAt`. */
export function* readNumberAtProgram<T extends NumberType>(target: ReadTarget, pos: Pos, type: T, options?: IoOptions): IoProgram<NumberValue<T>> {
  const bytes = new Uint8Array(codecOf(type).codec.size);
  yield* readExactAtProgram(target, pos, bytes, options);
  return decodeNumber(type, bytes);
}

/** Writes one number at `pos` as a program; `options` as for `writeAllAt`. */
export function* writeNumberAtProgram<T extends NumberType>(target: WriteTarget, pos: Pos, type: T, value: NumberValue<T>, options?: IoOptions): IoProgram<void> {
  yield* writeAllAtProgram(target, pos, encodeNumber(type, value), options);
}

/**
 * Reads one number at `pos`; kind UnexpectedEof if the data ends first. The target's DirectAsync
 * read when it has one, else one packet with an output that decodes in its completion: no
 * generator and no second promise (the path `readAt` takes).
 * With `options` (a deadline, a signal) it runs as `readExactAt` does with them.
 */
export const readNumberAt = <T extends NumberType>(target: ReadTarget, pos: Pos, type: T, options?: IoOptions): Promise<NumberValue<T>> => {
  if (options !== undefined) return runIo(readNumberAtProgram(target, pos, type, options));
  let position: number;
  let output: NumberReadOutput;
  try {
    const resolvedType = codecOf(type);
    position = checkPos(pos, "pos", "readExactAt");
    output = new NumberReadOutput(resolvedType, position);
    // The target's packet-free read first (DirectAsync, as readExactAt takes it): the output's bytes, then its decode.
    const direct = directRead(target, position, output.bytes);
    if (direct !== undefined) return direct.then((count) => output.decodeCount(count) as NumberValue<T>);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<NumberValue<T>>((resolve, reject) => {
    output.resolve = resolve as (value: number | bigint) => void;
    output.reject = reject;
    try {
      sendPacket(target, position, Packet.wrap(output.bytes, Write), output);
    } catch (error) {
      reject(error);
    }
  });
};

/** The output of one `readNumberAt`: it owns the bytes the packet fills and settles the promise. */
class NumberReadOutput {
  readonly bytes: Uint8Array;
  resolve: (value: number | bigint) => void = ignore;
  reject: (error: unknown) => void = ignore;
  constructor(
    readonly type: Resolved,
    readonly position: number,
  ) {
    this.bytes = new Uint8Array(type.codec.size);
  }
  onDone(result: PacketResult): void {
    if (result.error !== undefined && !isEof(result.error)) return this.reject(result.error);
    if (result.transferred < this.bytes.byteLength) return this.reject(shortRead(this.position, this.bytes.byteLength, result.transferred, result.error));
    this.resolve(this.type.codec.get(new DataView(this.bytes.buffer), this.type.littleEndian));
  }
  /** The value once a direct read gave `count` bytes; UnexpectedEof (without a cause) when short. */
  decodeCount(count: number): number | bigint {
    if (count < this.bytes.byteLength) throw shortRead(this.position, this.bytes.byteLength, count);
    return this.type.codec.get(new DataView(this.bytes.buffer), this.type.littleEndian);
  }
}

function ignore(): void {}

/** Writes one number at `pos`; kind InvalidInput if it does not fit the type. */
export const writeNumberAt = <T extends NumberType>(target: WriteTarget, pos: Pos, type: T, value: NumberValue<T>, options?: IoOptions): Promise<void> =>
  runIo(writeNumberAtProgram(target, pos, type, value, options));

/**
 * One 8-byte scratch buffer per size for the sync reads of targets with DirectSync: the read and
 * the decode both finish before `readNumberAtSync` returns, and a direct read owns its buffer only
 * during the call, so sharing them across calls is safe on one thread (each thread has its own
 * module instance). Allocating a typed array and a DataView per read cost more than the read.
 */
const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);
const scratchBySize = [scratch.subarray(0, 0), scratch.subarray(0, 1), scratch.subarray(0, 2), scratch, scratch.subarray(0, 4), scratch, scratch, scratch, scratch];

/**
 * Reads one number at `pos` on this thread, on `readExactAtSync`'s path: a target with DirectSync
 * reads without a packet (the packet path cost 2–15× the direct one for 4-byte reads).
 */
export const readNumberAtSync = <T extends NumberType>(target: ReadTarget, pos: Pos, type: T, options?: IoOptions): NumberValue<T> => {
  const { codec, littleEndian } = codecOf(type);
  const position = checkPos(pos, "pos", "readExactAt");
  // Options (a deadline, a signal) are honoured on the packet path only, as readExactAtSync does.
  const direct = options?.signal === undefined && options?.timeoutMs === undefined && typeof (target as Partial<DirectSync> | null)?.readAtDirect === "function" ? (target as unknown as DirectSync) : undefined;
  if (direct !== undefined) {
    const count = direct.readAtDirect(position, scratchBySize[codec.size] as Uint8Array);
    if (count !== undefined) {
      if (count < codec.size) throw shortRead(position, codec.size, count);
      return codec.get(scratchView, littleEndian) as NumberValue<T>;
    }
  }
  // The packet path owns its buffer until the packet settles, so it gets a buffer of its own.
  const bytes = new Uint8Array(codec.size);
  readExactAtSync(target, position, bytes, options);
  return codec.get(new DataView(bytes.buffer), littleEndian) as NumberValue<T>;
};
/** Writes one number at `pos` on this thread, through `writeAllAtSync`'s path (DirectSync where there is one). */
export const writeNumberAtSync = <T extends NumberType>(target: WriteTarget, pos: Pos, type: T, value: NumberValue<T>, options?: IoOptions): void =>
  writeAllAtSync(target, pos, encodeNumber(type, value), options);
