/**
 * The facade's `createReadStream`/`createWriteStream`: Node's own `fs.ReadStream` and
 * `fs.WriteStream`, given an `fs` option whose calls go to the facade, so `start`, `end`
 * (inclusive), `highWaterMark`, `encoding`, `autoClose` and `flush` behave exactly as Node's. The
 * descriptor number is only what those classes require; nothing touches it.
 */
import type { CreateReadStreamOptions, CreateWriteStreamOptions } from "node:fs/promises";
import type { ReadStream, WriteStream } from "node:fs";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";
import type { NodeFileHandle } from "./toNodeFileHandle.js";

type Done = (error: unknown) => void;

function refuseOpen(_path: unknown, _flags: unknown, _mode: unknown, callback: (error: Error) => void): void {
  callback(new Error("toNodeFileHandle streams are opened already"));
}

/** A ReadStream whose reads are `handle.read` and whose close (autoClose) is `handle.close()`. */
export function facadeReadStream(handle: NodeFileHandle, fd: number, options: CreateReadStreamOptions | undefined): ReadStream {
  const fs = nodeBuiltin("node:fs");
  const streamFs = {
    open: refuseOpen,
    read: (_fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null | undefined, callback: (error: unknown, bytesRead?: number, buffer?: Uint8Array) => void) => {
      handle.read(buffer, offset, length, position ?? null).then(({ bytesRead }) => callback(null, bytesRead, buffer), callback);
    },
    close: (_fd: number, callback: Done) => {
      handle.close().then(() => callback(null), callback);
    },
  };
  return fs.createReadStream("", { ...options, fd, fs: streamFs } as Parameters<typeof fs.createReadStream>[1]);
}

/** A WriteStream whose writes are `handle.write`/`writev`, its flush `handle.sync()`, its close `handle.close()`. */
export function facadeWriteStream(handle: NodeFileHandle, fd: number, options: CreateWriteStreamOptions | undefined): WriteStream {
  const fs = nodeBuiltin("node:fs");
  const streamFs = {
    open: refuseOpen,
    write: (_fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null | undefined, callback: (error: unknown, written?: number, buffer?: Uint8Array) => void) => {
      handle.write(buffer, offset, length, position ?? null).then(({ bytesWritten }) => callback(null, bytesWritten, buffer), callback);
    },
    writev: (_fd: number, buffers: Uint8Array[], position: number | null | undefined, callback: (error: unknown, written?: number, buffers?: Uint8Array[]) => void) => {
      handle.writev(buffers, position ?? null).then(({ bytesWritten }) => callback(null, bytesWritten, buffers), callback);
    },
    fsync: (_fd: number, callback: Done) => {
      handle.sync().then(() => callback(null), callback);
    },
    close: (_fd: number, callback: Done) => {
      handle.close().then(() => callback(null), callback);
    },
  };
  return fs.createWriteStream("", { ...options, fd, fs: streamFs } as Parameters<typeof fs.createWriteStream>[1]);
}
