/**
 * Cheap argument checks for every public entry. Each throws IoError kind InvalidInput (or a
 * TypeError for a value of the wrong type) with a message that names the argument.
 */
import { IoError } from "../IoError.js";
import type { Pos } from "../PacketIo.js";

/**
 * The largest packet: V8's typed-array limit on 64-bit Node 20 is 2^32 bytes. Backends split
 * single calls further where the OS caps them (Linux: 0x7ffff000 bytes per read/write).
 */
export const MAX_PACKET_LENGTH = 2 ** 32;

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  return Object.prototype.toString.call(value);
}

/** A position or offset: a non-negative safe integer, or a bigint in that range. Returns a number. */
export function checkPos(value: unknown, name: string, op?: string): number {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else if (typeof value === "bigint") {
    if (value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  } else {
    throw new TypeError(`${name} must be a number or bigint, got ${describe(value)}`);
  }
  throw new IoError("InvalidInput", `${name} must be a non-negative safe integer (0 … 2^53-1), got ${describe(value)}`, withOp(op));
}

/**
 * A backend's check of a `sendIo` position: the position as a number, or the IoError (kind
 * InvalidInput) to fail the view with. Backends must not throw from `sendIo`.
 */
export function positionOrError(value: unknown, context: { op?: string; backend?: string } = {}): number | IoError {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  try {
    return checkPos(value, "pos", context.op);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return new IoError("InvalidInput", message, { ...context, cause: error });
  }
}

/** A byte count: a non-negative safe integer no larger than `max`. */
export function checkLength(value: unknown, name: string, max = MAX_PACKET_LENGTH, op?: string): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new IoError("InvalidInput", `${name} must be an integer from 0 to ${max}, got ${describe(value)}`, withOp(op));
  }
  return value;
}

export function isDetached(buffer: ArrayBufferLike): boolean {
  if (buffer instanceof ArrayBuffer) {
    // Node 20 has no ArrayBuffer.prototype.detached; slice() throws on a detached buffer.
    try {
      buffer.slice(0, 0);
    } catch {
      return true;
    }
  }
  return false;
}

/** A buffer the I/O system may own: a Uint8Array over a fixed-length, attached buffer. */
export function checkBytes(value: unknown, name: string, op?: string): Uint8Array {
  checkShared(value, name, op);
  return value as Uint8Array;
}

/**
 * `checkBytes`, answering whether the bytes are over a SharedArrayBuffer (which can never be
 * detached, so a backend may hand them to the kernel as they are). One `.buffer` lookup for both:
 * it is a builtin call that cost about 40 ns on Node 20, paid per read.
 */
export function checkShared(value: unknown, name: string, op?: string): boolean {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array (or Buffer), got ${describe(value)}`);
  }
  const buffer = value.buffer as ArrayBufferLike & { resizable?: boolean; growable?: boolean };
  const shared = buffer instanceof SharedArrayBuffer;
  if (shared ? buffer.growable === true : buffer.resizable === true) {
    throw new IoError("InvalidInput", `${name} is over a resizable buffer; pass a fixed-length one`, withOp(op));
  }
  if (value.byteLength === 0 && isDetached(buffer)) {
    throw new IoError("InvalidInput", `${name} is over a detached ArrayBuffer`, withOp(op));
  }
  if (value.byteLength > MAX_PACKET_LENGTH) {
    throw new IoError("InvalidInput", `${name} is ${value.byteLength} bytes, over the ${MAX_PACKET_LENGTH}-byte limit`, withOp(op));
  }
  return shared;
}

export function checkFunction<F extends (...args: never[]) => unknown>(value: unknown, name: string): F {
  if (typeof value !== "function") throw new TypeError(`${name} must be a function, got ${describe(value)}`);
  return value as F;
}

function withOp(op: string | undefined): { op?: string } {
  return op === undefined ? {} : { op };
}

export type { Pos };
