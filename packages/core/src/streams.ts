/**
 * Adapters from a positional target to streams: a Node `Readable` (with read-ahead) and
 * `Writable`, and a WHATWG byte `ReadableStream` that serves BYOB readers straight into their
 * buffers. Options take Node's `highWaterMark` name for the chunk size too.
 */
import type { Readable, Writable } from "node:stream";
import { IoError } from "./IoError.js";
import { nodeBuiltin } from "./internal/nodeBuiltin.js";
import { checkLength, checkPos } from "./internal/validate.js";
import { z } from "zod";
import { parseOptions } from "./options.js";
import type { Pos } from "./PacketIo.js";
import { readAt, writeAllAt, type ReadTarget, type WriteTarget } from "./readWrite.js";

const position = z.union([z.number(), z.bigint()]);
const ReadStreamOptions = z.strictObject({
  /** First byte to read. */
  start: position.optional(),
  /** One past the last byte to read; the end of the data when absent. */
  end: position.optional(),
  /** Bytes per read (default 1 MiB). */
  chunkSize: z.number().int().min(1).max(2 ** 30).optional(),
  /** Node's name for the bytes per read (`fs.createReadStream`); the same as `chunkSize`. */
  highWaterMark: z.number().int().min(1).max(2 ** 30).optional(),
  /** Reads a Node Readable keeps in flight ahead of its consumer (1 … 64; default 2). */
  readAhead: z.number().int().min(1).max(64).optional(),
});
export type ReadStreamOptions = z.input<typeof ReadStreamOptions>;
const WriteStreamOptions = z.strictObject({ start: position.optional() });
export type WriteStreamOptions = z.input<typeof WriteStreamOptions>;

// Defaults measured hashing a cached file through pipeline() (2026-12-02, 2-core VM, loaded):
// per chunk, a Readable, its pipe and its consumer cost about as much as the copy, so bigger
// chunks win; 64 KiB chunks (Node's fs default) ran at 0.8–1.4× fs.createReadStream whatever the
// read-ahead, 1 MiB × 2 in flight at 1.3–1.6×.
const DEFAULT_CHUNK = 1024 * 1024;
const DEFAULT_READ_AHEAD = 2;
// A last read this much shorter than its buffer is copied out, so a small file's chunk does not
// keep a whole chunk's memory alive (Node's fs stream does the same).
const SHRINK_BELOW = 4;

interface ReadRange {
  readonly start: number;
  readonly end: number;
  readonly chunkSize: number;
  readonly readAhead: number;
}

function readRange(options: ReadStreamOptions | undefined, where: string): ReadRange {
  const parsed = parseOptions(ReadStreamOptions, options, where);
  const start = checkPos(parsed.start ?? 0, "start", where);
  const end = parsed.end === undefined ? Infinity : checkPos(parsed.end, "end", where);
  if (parsed.chunkSize !== undefined && parsed.highWaterMark !== undefined && parsed.chunkSize !== parsed.highWaterMark) {
    throw new IoError("InvalidInput", `${where}: chunkSize (${parsed.chunkSize}) and highWaterMark (${parsed.highWaterMark}) are two names for one setting; give one`, { op: where });
  }
  const chunkSize = checkLength(parsed.chunkSize ?? parsed.highWaterMark ?? DEFAULT_CHUNK, "chunkSize");
  return { start, end: Math.max(start, end), chunkSize, readAhead: parsed.readAhead ?? DEFAULT_READ_AHEAD };
}

/** One read of a Readable's read-ahead: its buffer and, once settled, its count or error. */
interface Slot {
  readonly chunk: Uint8Array;
  readonly pos: number;
  count: number;
  error: unknown;
  settled: boolean;
}

/**
 * A Node Readable over `[start, end)` of the target. It keeps up to `readAhead` reads in flight
 * while its consumer works, so the next bytes are on their way while the previous ones are hashed
 * or written (Node's fs stream has one read at a time; with one here too, hashing a page-cached
 * file took 1.3–2.1× Node's time). It pushes one chunk per `_read`, in order, so chunks stay
 * `chunkSize` long and Node never concatenates them. Chunks are Buffers over memory that is not
 * zeroed first (the read fills it); each is the consumer's to keep. On a stream-like target (a
 * FIFO: `target.streamLike`) a short read is what had arrived, not the end: one read at a time,
 * each from where the last one stopped, until a read of 0.
 */
export function createReadable(target: ReadTarget, options?: ReadStreamOptions): Readable {
  const range = readRange(options, "createReadable options");
  const { Buffer } = nodeBuiltin("node:buffer");
  // Reads in flight or settled but not pushed yet, in position order.
  const slots: Slot[] = [];
  let next = range.start;
  let ended = false;
  // Node asked for a chunk (`_read`) and has not been given one yet.
  let wanted = false;
  const stream = new (nodeBuiltin("node:stream").Readable)({
    highWaterMark: range.chunkSize,
    read(): void {
      wanted = true;
      fill();
      // A push inside `_read` while Node holds bytes would be joined to them (a copy, and a
      // chunk twice as long): then the chunk goes out right after this call instead.
      if (stream.readableLength === 0) deliver();
      else queueMicrotask(deliver);
    },
  });
  /** Keeps `readAhead` reads in flight until the whole range is requested. */
  const streamLike = target.streamLike === true;
  const readAhead = streamLike ? 1 : range.readAhead;
  const fill = (): void => {
    while (!ended && slots.length < readAhead && next < range.end) {
      const size = Math.min(range.chunkSize, range.end - next);
      const slot: Slot = { chunk: Buffer.allocUnsafeSlow(size), pos: next, count: 0, error: undefined, settled: false };
      slots.push(slot);
      const settle = (count: number, error: unknown): void => {
        slot.count = count;
        slot.error = error;
        slot.settled = true;
        deliver();
      };
      readAt(target, next, slot.chunk).then((count) => settle(count, undefined), (error: unknown) => settle(0, error));
      next += size;
    }
  };
  /** Gives Node the head chunk if it asked for one and it has settled; a short one ends the data. */
  const deliver = (): void => {
    if (!wanted || ended || stream.destroyed) return;
    if (slots.length === 0) {
      if (next >= range.end) {
        ended = true;
        stream.push(null);
      }
      return;
    }
    const head = slots[0] as Slot;
    if (!head.settled) return;
    slots.shift();
    wanted = false;
    if (head.error !== undefined) {
      ended = true;
      slots.length = 0;
      stream.destroy(head.error as Error);
      return;
    }
    const { chunk, count } = head;
    if (streamLike && count > 0 && count < chunk.byteLength) {
      // What had arrived: the next read starts right after it (the only slot was this one).
      next = head.pos + count;
      stream.push(count * SHRINK_BELOW < chunk.byteLength ? Buffer.from(chunk.subarray(0, count)) : chunk.subarray(0, count));
      fill();
      return;
    }
    if (count < chunk.byteLength) {
      // The data ends inside this read: reads still in flight are past it and their results dropped.
      ended = true;
      slots.length = 0;
      if (count > 0) stream.push(count * SHRINK_BELOW < chunk.byteLength ? Buffer.from(chunk.subarray(0, count)) : chunk.subarray(0, count));
      stream.push(null);
      return;
    }
    stream.push(chunk);
    fill();
  };
  return stream;
}

/** A Node Writable that writes its chunks one after another from `start`. */
export function createWritable(target: WriteTarget, options?: WriteStreamOptions): Writable {
  const parsed = parseOptions(WriteStreamOptions, options, "createWritable options");
  let next = checkPos(parsed.start ?? 0, "start", "createWritable");
  return new (nodeBuiltin("node:stream").Writable)({
    write(chunk: Uint8Array, _encoding, callback): void {
      writeAllAt(target, next, chunk).then(
        () => {
          next += chunk.byteLength;
          callback();
        },
        (error: unknown) => callback(error as Error),
      );
    },
  });
}

/** A WHATWG byte stream over `[start, end)`; BYOB readers are filled without a copy. */
export function createReadableStream(target: ReadTarget, options?: ReadStreamOptions): ReadableStream<Uint8Array> {
  const range = readRange(options, "createReadableStream options");
  let next = range.start;
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: range.chunkSize,
    async pull(controller): Promise<void> {
      const request = controller.byobRequest;
      if (request === null || request.view === null) return;
      const remaining = range.end - next;
      const view = request.view;
      const dst = new Uint8Array(view.buffer, view.byteOffset, Math.min(view.byteLength, remaining === Infinity ? view.byteLength : remaining));
      const wanted = dst.byteLength;
      const count = wanted === 0 ? 0 : await readAt(target, next, dst);
      next += count;
      if (count === 0) {
        controller.close();
        request.respond(0);
        return;
      }
      request.respond(count);
      // respond() transfers dst's memory: its length is read before. A short read is the end,
      // except on a stream-like target (a FIFO), where only 0 is.
      if ((count < wanted && target.streamLike !== true) || next >= range.end) controller.close();
    },
  });
}

export type { Pos };
