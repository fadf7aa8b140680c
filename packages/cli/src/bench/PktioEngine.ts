/**
 * A pktio backend as a bench engine. Asynchronous jobs use the raw fast path: one reusable
 * packet per slot and direction, sent with `sendPacket` and one `PacketOutput` per slot, so a
 * completion costs no promise and no allocation. `--sync` jobs use `readAtSync`/`writeAtSync`.
 * uring with `--direct` reads into its registered pool (READ_FIXED/WRITE_FIXED, page-aligned);
 * threaded gets SharedArrayBuffer slots, which its workers fill in place.
 */
import { Packet, Read, sendPacket, Write, type BackendName, type FileHandle, type PacketOutput, type Runtime } from "@pktio/core";
import type { BackendOptions } from "@pktio/rt";
import { openBackend } from "../openBackend.js";
import { callNames, effectiveDepth, writes, type JobSettings } from "./BenchSettings.js";
import type { AsyncEngine, Completion, Engine, SyncEngine } from "./Engine.js";
import { slotBuffers } from "./slotBuffers.js";

const PAGE = 4096;
/** uring's registered pool holds at most this many buffers (UringOptions). */
const MAX_REGISTERED = 1024;

/** uring's registered pool, typed by shape: the CLI reaches backends only through @pktio/rt. */
interface RegisteredPoolLike {
  acquire(): Uint8Array;
}

function poolOf(rt: Runtime): RegisteredPoolLike | undefined {
  const pool = (rt.io as { pool?: unknown }).pool;
  return typeof pool === "object" && pool !== null && typeof (pool as RegisteredPoolLike).acquire === "function" ? (pool as RegisteredPoolLike) : undefined;
}

export async function openPktioEngine(backend: BackendName, settings: JobSettings): Promise<Engine> {
  const depth = effectiveDepth(backend, settings);
  const registered = backend === "uring" && settings.direct && depth <= MAX_REGISTERED;
  const options: BackendOptions = registered ? { uring: { registeredBuffers: { count: depth, size: Math.ceil(settings.bs / PAGE) * PAGE } } } : {};
  const rt = await openBackend(backend, options);
  let file: FileHandle | undefined;
  try {
    file = await rt.fs.open(settings.file, { read: true, write: writes(settings.rw), direct: settings.direct });
    const opened = file;
    const pool = registered ? poolOf(rt) : undefined;
    const details = [settings.sync ? callNames(settings.rw, "readAtSync", "writeAtSync") : "sendPacket"];
    let buffers: Uint8Array[];
    if (pool !== undefined) {
      buffers = Array.from({ length: depth }, () => pool.acquire().subarray(0, settings.bs));
      details.push("registered buffers");
    } else {
      const slots = await slotBuffers(depth, settings.bs, {
        shared: backend === "threaded",
        direct: settings.direct,
        probe: async (bytes) => (settings.sync ? opened.readAtSync(0, bytes) : opened.readAt(0, bytes)),
      });
      buffers = slots.buffers;
      if (backend === "threaded") details.push("SharedArrayBuffer slots");
      if (slots.detail !== undefined) details.push(slots.detail);
    }
    const close = async (): Promise<void> => {
      await opened.close();
      await rt.close();
    };
    const detail = details.join(", ");
    return settings.sync ? new PktioSyncEngine(opened, buffers, detail, close) : new PktioAsyncEngine(opened, buffers, detail, close);
  } catch (error) {
    await file?.close();
    await rt.close();
    throw error;
  }
}

class PktioAsyncEngine implements AsyncEngine {
  readonly mode = "async";
  onComplete: Completion = () => undefined;
  readonly #file: FileHandle;
  readonly #reads: Packet<Write>[];
  readonly #writes: Packet<Read>[];
  readonly #outputs: PacketOutput[];

  constructor(
    file: FileHandle,
    readonly buffers: Uint8Array[],
    readonly detail: string,
    readonly close: () => Promise<void>,
  ) {
    this.#file = file;
    // Two packets per slot over the same bytes: one direction each, never both in flight.
    this.#reads = buffers.map((bytes) => Packet.wrap(bytes, Write));
    this.#writes = buffers.map((bytes) => Packet.wrap(bytes, Read));
    this.#outputs = buffers.map((_, slot) => ({ onDone: (result) => this.onComplete(slot, result.transferred, result.error) }));
  }

  start(slot: number, pos: number, write: boolean): void {
    const output = this.#outputs[slot]!;
    if (write) sendPacket(this.#file, pos, this.#writes[slot]!, output);
    else sendPacket(this.#file, pos, this.#reads[slot]!, output);
  }
}

class PktioSyncEngine implements SyncEngine {
  readonly mode = "sync";

  constructor(
    readonly file: FileHandle,
    readonly buffers: Uint8Array[],
    readonly detail: string,
    readonly close: () => Promise<void>,
  ) {}

  run(slot: number, pos: number, write: boolean): number {
    const bytes = this.buffers[slot]!;
    return write ? this.file.writeAtSync(pos, bytes) : this.file.readAtSync(pos, bytes);
  }
}
