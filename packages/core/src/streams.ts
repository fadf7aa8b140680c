/**
 * Adapters from a positional target to streams: a Node `Readable` and `Writable`, and a WHATWG
 * byte `ReadableStream` that serves BYOB readers straight into their buffers.
 */
import type { Readable, Writable } from "node:stream";
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
  /** Bytes per read. */
  chunkSize: z.number().int().min(1).max(2 ** 30).optional(),
});
export type ReadStreamOptions = z.input<typeof ReadStreamOptions>;
const WriteStreamOptions = z.strictObject({ start: position.optional() });
export type WriteStreamOptions = z.input<typeof WriteStreamOptions>;

const DEFAULT_CHUNK = 64 * 1024;

function readRange(options: ReadStreamOptions | undefined, where: string): { start: number; end: number; chunkSize: number } {
  const parsed = parseOptions(ReadStreamOptions, options, where);
  const start = checkPos(parsed.start ?? 0, "start", where);
  const end = parsed.end === undefined ? Infinity : checkPos(parsed.end, "end", where);
  return { start, end: Math.max(start, end), chunkSize: checkLength(parsed.chunkSize ?? DEFAULT_CHUNK, "chunkSize") };
}

/** A Node Readable over `[start, end)` of the target. */
export function createReadable(target: ReadTarget, options?: ReadStreamOptions): Readable {
  const range = readRange(options, "createReadable options");
  let next = range.start;
  return new (nodeBuiltin("node:stream").Readable)({
    highWaterMark: range.chunkSize,
    read(): void {
      const size = Math.min(range.chunkSize, range.end - next);
      if (size <= 0) {
        this.push(null);
        return;
      }
      const chunk = new Uint8Array(size);
      readAt(target, next, chunk).then(
        (count) => {
          next += count;
          if (count > 0) this.push(count === size ? chunk : chunk.subarray(0, count));
          if (count < size) this.push(null);
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
  });
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
      const count = dst.byteLength === 0 ? 0 : await readAt(target, next, dst);
      next += count;
      if (count === 0) {
        controller.close();
        request.respond(0);
        return;
      }
      request.respond(count);
      if (count < dst.byteLength || next >= range.end) controller.close();
    },
  });
}

export type { Pos };
