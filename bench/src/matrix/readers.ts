/**
 * The matrix's contenders, each reading one round (many reads at once) the way its users would:
 * Node's fs.promises (`FileHandle.read`, a promise each), fs.read (callbacks), fs.readSync (one
 * after another: its in-flight count is 1), and each pktio backend through `file.readAt` (a
 * packet and a promise each; the CLI's bench measures the raw `sendPacket` path instead). A
 * short read fails the round.
 */
import { closeSync, openSync, read, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { BackendNames, IoError, type BackendName } from "@pktio/core";
import { openRuntime } from "@pktio/rt";

export const NodeContenders = ["fs.promises", "fs.read", "fs.readSync"] as const;
/** The reference every ratio is taken against. */
export const BASELINE = "fs.promises";

export interface Reader {
  /** Whether the reader wants SharedArrayBuffer destinations (threaded fills those in place). */
  readonly shared: boolean;
  /** Reads `buffers[i].length` bytes at `offsets[i]` into `buffers[i]`, all at once. */
  readRound(offsets: Float64Array, buffers: readonly Uint8Array[]): Promise<void>;
  close(): Promise<void>;
}

function short(got: number, want: number, pos: number): IoError {
  return new IoError("UnexpectedEof", `short read: ${got} of ${want} bytes at ${pos}`, { op: "read" });
}

export async function openReader(contender: string, path: string): Promise<Reader> {
  if (contender === "fs.promises") {
    const handle = await open(path, "r");
    return {
      shared: false,
      async readRound(offsets, buffers) {
        const pending: Promise<{ bytesRead: number }>[] = [];
        for (let i = 0; i < offsets.length; i++) pending.push(handle.read(buffers[i]!, 0, buffers[i]!.length, offsets[i]!));
        const results = await Promise.all(pending);
        results.forEach((result, i) => {
          if (result.bytesRead !== buffers[i]!.length) throw short(result.bytesRead, buffers[i]!.length, offsets[i]!);
        });
      },
      close: () => handle.close(),
    };
  }
  if (contender === "fs.read") {
    const fd = openSync(path, "r");
    return {
      shared: false,
      readRound: (offsets, buffers) =>
        new Promise((resolve, reject) => {
          let left = offsets.length;
          let failure: Error | undefined;
          for (let i = 0; i < offsets.length; i++) {
            const buffer = buffers[i]!;
            read(fd, buffer, 0, buffer.length, offsets[i]!, (error, got) => {
              if (error !== null) failure ??= error;
              else if (got !== buffer.length) failure ??= short(got, buffer.length, offsets[i]!);
              if (--left === 0) {
                if (failure === undefined) resolve();
                else reject(failure);
              }
            });
          }
        }),
      close: async () => closeSync(fd),
    };
  }
  if (contender === "fs.readSync") {
    const fd = openSync(path, "r");
    return {
      shared: false,
      async readRound(offsets, buffers) {
        for (let i = 0; i < offsets.length; i++) {
          const buffer = buffers[i]!;
          const got = readSync(fd, buffer, 0, buffer.length, offsets[i]!);
          if (got !== buffer.length) throw short(got, buffer.length, offsets[i]!);
        }
      },
      close: async () => closeSync(fd),
    };
  }
  if (!(BackendNames as readonly string[]).includes(contender)) throw new IoError("InvalidInput", `unknown contender ${JSON.stringify(contender)}`);
  // The cell measures exactly this backend, whatever PKTIO_BACKENDS says.
  delete process.env["PKTIO_BACKENDS"];
  const rt = await openRuntime({ backends: [contender as BackendName] });
  try {
    const file = await rt.fs.open(path);
    return {
      shared: contender === "threaded",
      async readRound(offsets, buffers) {
        const pending: Promise<number>[] = [];
        for (let i = 0; i < offsets.length; i++) pending.push(file.readAt(offsets[i]!, buffers[i]!));
        const counts = await Promise.all(pending);
        counts.forEach((got, i) => {
          if (got !== buffers[i]!.length) throw short(got, buffers[i]!.length, offsets[i]!);
        });
      },
      close: async () => {
        await file.close();
        await rt.close();
      },
    };
  } catch (error) {
    await rt.close();
    throw error;
  }
}
