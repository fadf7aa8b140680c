/**
 * Every backend rt knows, in one table: how to open it, or why it cannot be opened here.
 * This is the only module in pktio that imports more than one backend.
 */
import type { BackendName, Runtime } from "@pktio/core";
import { openLibuv, type LibuvOptions } from "@pktio/libuv";
import { openThreaded, type ThreadedOptions } from "@pktio/threaded";
import { openUring, type UringOptions } from "@pktio/uring";

/** Per-backend options, passed to the backend that is opened (each validates its own). */
export interface BackendOptions {
  readonly libuv?: LibuvOptions;
  readonly uring?: UringOptions;
  readonly threaded?: ThreadedOptions;
}

export interface BackendEntry {
  /** Opens a runtime, or throws IoError kind Unsupported saying why the backend cannot work here. */
  open(options: BackendOptions): Runtime;
}

/**
 * The threaded backend has no sockets of its own: libuv lends its TCP. The lender is closed
 * with the runtime (a threaded runtime leaves a lent `net` open on purpose).
 */
function openThreadedWithSockets(options: BackendOptions): Runtime {
  const libuv = openLibuv(options.libuv);
  let threaded: Runtime;
  try {
    threaded = openThreaded(options.threaded, { net: libuv.net });
  } catch (error) {
    void libuv.close();
    throw error;
  }
  return {
    ...threaded,
    close: async () => {
      await threaded.close();
      await libuv.close();
    },
  };
}

export const registry: Record<BackendName, BackendEntry> = {
  uring: { open: (options) => openUring(options.uring) },
  libuv: { open: (options) => openLibuv(options.libuv) },
  threaded: { open: openThreadedWithSockets },
};
