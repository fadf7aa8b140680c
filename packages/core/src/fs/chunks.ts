/**
 * Chunk iteration over a positional target: `chunksSync` is a plain iterable over `readAtSync`,
 * so a synchronous pipeline (hash, parse, copy) needs no hand-written stream (a Node Readable is
 * asynchronous by nature); `chunks` is its async twin over `readAt`. The range is `[start, end)`,
 * end exclusive as every pktio range (a view, `createReadable`); only the Node facade's
 * `createReadStream` takes Node's inclusive `end`.
 */
import { z } from "zod";
import { IoError } from "../IoError.js";
import type { IoOptions } from "../IoOptions.js";
import { checkPos } from "../internal/validate.js";
import { parseOptions } from "../options.js";
import { readAt, readAtSync, type ReadTarget } from "../readWrite.js";

const position = z.union([z.number(), z.bigint()]);
const ChunkOptions = z.strictObject({
  /** First byte; 0 by default. */
  start: position.optional(),
  /** One past the last byte; the end of the data when absent. */
  end: position.optional(),
  /** Bytes per chunk (the last one may be shorter); 64 KiB by default. */
  chunkSize: z.number().int().min(1).max(2 ** 30).optional(),
  /** Abort signal and deadline, applied to each read. */
  // Checked when parsed, not at load: core also loads where there is no AbortSignal (design.md §2).
  signal: z.custom<AbortSignal>((value) => typeof AbortSignal !== "undefined" && value instanceof AbortSignal, "must be an AbortSignal").optional(),
  timeoutMs: z.number().positive().optional(),
});
/** Options of `chunks` and `chunksSync`: `[start, end)` read `chunkSize` bytes at a time. */
export type ChunkOptions = z.input<typeof ChunkOptions>;

const DEFAULT_CHUNK = 64 * 1024;

interface ChunkPlan {
  readonly start: number;
  readonly end: number;
  readonly chunkSize: number;
  readonly io: IoOptions | undefined;
}

function plan(options: ChunkOptions | undefined, where: string): ChunkPlan {
  const parsed = parseOptions(ChunkOptions, options, `${where} options`);
  const start = checkPos(parsed.start ?? 0, "start", where);
  const end = parsed.end === undefined ? Infinity : checkPos(parsed.end, "end", where);
  if (end < start) throw new IoError("InvalidInput", `${where}: end (${end}) is before start (${start}); the range is [start, end), end exclusive`, { op: where });
  const io = parsed.signal === undefined && parsed.timeoutMs === undefined ? undefined : {
    ...(parsed.signal === undefined ? {} : { signal: parsed.signal }),
    ...(parsed.timeoutMs === undefined ? {} : { timeoutMs: parsed.timeoutMs }),
  };
  return { start, end, chunkSize: parsed.chunkSize ?? DEFAULT_CHUNK, io };
}

/**
 * The bytes of `[start, end)` as fresh Uint8Arrays of `chunkSize` (the last one shorter; none
 * past the end of the data), each read with `readAtSync` when the iteration asks for it. Options
 * are checked at the call, not at the first `next()`. A generator: iterate it once.
 */
export function chunksSync(target: ReadTarget, options?: ChunkOptions): Generator<Uint8Array, void, undefined> {
  return readChunksSync(target, plan(options, "chunksSync"));
}

function* readChunksSync(target: ReadTarget, range: ChunkPlan): Generator<Uint8Array, void, undefined> {
  for (let next = range.start; next < range.end; ) {
    const size = Math.min(range.chunkSize, range.end - next);
    const chunk = new Uint8Array(size);
    const count = readAtSync(target, next, chunk, range.io);
    if (count === 0) return;
    next += count;
    yield count === size ? chunk : chunk.subarray(0, count);
    // readAt is short only at the end of the data, except on a stream-like target (a FIFO).
    if (count < size && target.streamLike !== true) return;
  }
}

/** The async twin of `chunksSync`: the same chunks, each read with `readAt`. */
export function chunks(target: ReadTarget, options?: ChunkOptions): AsyncGenerator<Uint8Array, void, undefined> {
  return readChunks(target, plan(options, "chunks"));
}

async function* readChunks(target: ReadTarget, range: ChunkPlan): AsyncGenerator<Uint8Array, void, undefined> {
  for (let next = range.start; next < range.end; ) {
    const size = Math.min(range.chunkSize, range.end - next);
    const chunk = new Uint8Array(size);
    const count = await readAt(target, next, chunk, range.io);
    if (count === 0) return;
    next += count;
    yield count === size ? chunk : chunk.subarray(0, count);
    if (count < size && target.streamLike !== true) return;
  }
}
