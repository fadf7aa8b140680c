/**
 * Every backend rt knows, in one table: how to open it, or why it cannot be opened here.
 * This is the only module in pktio that imports more than one backend.
 */
import { IoError, type BackendName, type Runtime } from "@pktio/core";
import { openLibuv, type LibuvOptions } from "@pktio/libuv";
import { openUring, type UringOptions } from "@pktio/uring";

/** Per-backend options, passed to the backend that is opened (each validates its own). */
export interface BackendOptions {
  readonly libuv?: LibuvOptions;
  readonly uring?: UringOptions;
  readonly threaded?: Record<string, unknown>;
}

export interface BackendEntry {
  /** Opens a runtime, or throws IoError kind Unsupported saying why the backend cannot work here. */
  open(options: BackendOptions): Runtime;
}

function notBuilt(name: BackendName, issue: string): BackendEntry {
  return {
    open() {
      throw new IoError("Unsupported", `the ${name} backend is not built yet (${issue})`, { op: "openRuntime", backend: name });
    },
  };
}

export const registry: Record<BackendName, BackendEntry> = {
  uring: { open: (options) => openUring(options.uring) },
  libuv: { open: (options) => openLibuv(options.libuv) },
  threaded: notBuilt("threaded", "@pktio/threaded: worker threads with SharedArrayBuffer rings"),
};
