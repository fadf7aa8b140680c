/**
 * Node's own fs as bench engines, written the way a Node user would: `node-promises` is
 * fs.promises FileHandle.read/write (one promise per operation), `node-callbacks` is
 * fs.read/fs.write with callbacks (what libuv's backend also uses), `node-sync` is
 * fs.readSync/writeSync, one operation at a time.
 */
import { closeSync, constants, openSync, read, readSync, write, writeSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { toIoError } from "@pktio/core";
import { callNames, effectiveDepth, writes, type JobSettings, type NodeStyles } from "./BenchSettings.js";
import type { AsyncEngine, Completion, Engine, SyncEngine } from "./Engine.js";
import { slotBuffers } from "./slotBuffers.js";

type NodeStyle = (typeof NodeStyles)[number];

export async function openNodeEngine(style: NodeStyle, settings: JobSettings): Promise<Engine> {
  const flags = (writes(settings.rw) ? constants.O_RDWR : constants.O_RDONLY) | (settings.direct ? constants.O_DIRECT : 0);
  const depth = effectiveDepth(style, settings);
  const allocate = (probe: (bytes: Uint8Array) => Promise<unknown>) => slotBuffers(depth, settings.bs, { shared: false, direct: settings.direct, probe });
  try {
    if (style === "node-promises") {
      const handle = await open(settings.file, flags);
      try {
        const slots = await allocate((bytes) => handle.read(bytes, 0, bytes.length, 0));
        return new PromisesEngine(handle, slots.buffers, describe(callNames(settings.rw, "FileHandle.read", "FileHandle.write"), slots.detail));
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    const fd = openSync(settings.file, flags);
    try {
      if (style === "node-callbacks") {
        const slots = await allocate((bytes) => new Promise((resolve, reject) => read(fd, bytes, 0, bytes.length, 0, (error, count) => (error ? reject(error) : resolve(count)))));
        return new CallbacksEngine(fd, slots.buffers, describe(callNames(settings.rw, "fs.read", "fs.write"), slots.detail));
      }
      const slots = await allocate(async (bytes) => readSync(fd, bytes, 0, bytes.length, 0));
      return new SyncCallsEngine(fd, slots.buffers, describe(callNames(settings.rw, "fs.readSync", "fs.writeSync"), slots.detail));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  } catch (error) {
    throw toIoError(error, { op: "bench", path: settings.file });
  }
}

function describe(calls: string, alignment: string | undefined): string {
  return alignment === undefined ? calls : `${calls}, ${alignment}`;
}

class PromisesEngine implements AsyncEngine {
  readonly mode = "async";
  onComplete: Completion = () => undefined;
  readonly #handle: FileHandle;
  // Settlement functions made once per slot, so an operation allocates only its promise.
  readonly #readDone: ((result: { bytesRead: number }) => void)[];
  readonly #writeDone: ((result: { bytesWritten: number }) => void)[];
  readonly #failed: ((error: unknown) => void)[];

  constructor(
    handle: FileHandle,
    readonly buffers: Uint8Array[],
    readonly detail: string,
  ) {
    this.#handle = handle;
    this.#readDone = buffers.map((_, slot) => (result) => this.onComplete(slot, result.bytesRead, undefined));
    this.#writeDone = buffers.map((_, slot) => (result) => this.onComplete(slot, result.bytesWritten, undefined));
    this.#failed = buffers.map((_, slot) => (error) => this.onComplete(slot, 0, error));
  }

  start(slot: number, pos: number, write: boolean): void {
    const bytes = this.buffers[slot]!;
    if (write) this.#handle.write(bytes, 0, bytes.length, pos).then(this.#writeDone[slot], this.#failed[slot]);
    else this.#handle.read(bytes, 0, bytes.length, pos).then(this.#readDone[slot], this.#failed[slot]);
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

class CallbacksEngine implements AsyncEngine {
  readonly mode = "async";
  onComplete: Completion = () => undefined;
  readonly #fd: number;
  readonly #done: ((error: NodeJS.ErrnoException | null, count: number) => void)[];

  constructor(
    fd: number,
    readonly buffers: Uint8Array[],
    readonly detail: string,
  ) {
    this.#fd = fd;
    this.#done = buffers.map((_, slot) => (error, count) => this.onComplete(slot, count, error ?? undefined));
  }

  start(slot: number, pos: number, isWrite: boolean): void {
    const bytes = this.buffers[slot]!;
    if (isWrite) write(this.#fd, bytes, 0, bytes.length, pos, this.#done[slot]!);
    else read(this.#fd, bytes, 0, bytes.length, pos, this.#done[slot]!);
  }

  async close(): Promise<void> {
    closeSync(this.#fd);
  }
}

class SyncCallsEngine implements SyncEngine {
  readonly mode = "sync";

  constructor(
    readonly fd: number,
    readonly buffers: Uint8Array[],
    readonly detail: string,
  ) {}

  run(slot: number, pos: number, isWrite: boolean): number {
    const bytes = this.buffers[slot]!;
    return isWrite ? writeSync(this.fd, bytes, 0, bytes.length, pos) : readSync(this.fd, bytes, 0, bytes.length, pos);
  }

  async close(): Promise<void> {
    closeSync(this.fd);
  }
}
