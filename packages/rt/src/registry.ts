/**
 * The backends rt ships, in one table: how to open each, or why it cannot be opened here.
 * This is the only module in pktio that imports more than one backend.
 */
import { IoError, type BackendName, type Runtime } from "@pktio/core";
import { openLibuv, type LibuvOptions } from "@pktio/libuv";
import { openThreaded, type ThreadedOptions } from "@pktio/threaded";
import type { UringBackendOptions } from "./UringBackendOptions.js";
import { adviseUring } from "./internal/uringAdvice.js";
import { uringModule } from "./internal/uringModule.js";

/**
 * Per-backend options, passed to the backend that is opened (each validates its own); a
 * registered backend's options go under its name.
 */
export interface BackendOptions {
  readonly libuv?: LibuvOptions;
  readonly uring?: UringBackendOptions;
  readonly threaded?: ThreadedOptions;
  readonly [registered: string]: unknown;
}

/** How a backend serves each kind of work, in words: what `availableBackends()` reports. */
export interface BackendCapabilities {
  readonly files: string;
  readonly sockets: string;
  readonly sync: string;
}

export interface BackendEntry {
  /** Opens a runtime, or throws IoError kind Unsupported saying why the backend cannot work here. */
  open(options: BackendOptions): Runtime;
  readonly capabilities: BackendCapabilities;
}

const LENT_SOCKETS = "lent by libuv (node:net and node:dgram on epoll)";

/**
 * The threaded backend has no sockets of its own: libuv lends its TCP and UDP. The lender is closed
 * with the runtime (a threaded runtime leaves a lent `net` open on purpose).
 */
function openThreadedWithSockets(options: BackendOptions): Runtime {
  const libuv = openLibuv(options.libuv);
  let threaded: Runtime;
  try {
    threaded = openThreaded(options.threaded, { net: libuv.net, udp: libuv.udp });
  } catch (error) {
    void libuv.close();
    throw error;
  }
  return {
    ...threaded,
    close: async () => {
      // Both at the call: the lent sockets close at once, as on every backend, not only after the
      // workers stopped (a connect made meanwhile would otherwise open on a closed runtime).
      const closed = await Promise.allSettled([threaded.close(), libuv.close()]);
      for (const outcome of closed) if (outcome.status === "rejected") throw outcome.reason;
    },
  };
}

/**
 * @pktio/uring is an optional dependency, loaded lazily: when it is missing or cannot load, the
 * backend is Unsupported with the reason; a kernel refusal gets advice appended.
 */
function openUringBackend(options: BackendOptions): Runtime {
  const uring = uringModule();
  if (uring instanceof Error) throw new IoError("Unsupported", uring.message, { op: "load", backend: "uring", cause: uring.cause });
  try {
    return uring.openUring(options.uring);
  } catch (error) {
    if (!IoError.is(error) || adviseUring(error.message) === error.message) throw error;
    throw new IoError(error.kind, adviseUring(error.message), { op: error.op ?? "openUring", backend: "uring", cause: error });
  }
}

/** The backends rt ships; registered ones live in registerBackend.ts. */
export const builtins: Record<BackendName, BackendEntry> = {
  uring: {
    open: openUringBackend,
    capabilities: {
      files: "io_uring (READ/WRITE, OPENAT, STATX, …; libuv for what the kernel lacks); submitted by a submit thread per ring where two or more CPUs are available, so cached reads copy on another core (uring.submitThread; SQPOLL is opt-in: uring.sqpoll)",
      sockets: "TCP and UDP on the ring (SEND/RECV/ACCEPT/CONNECT, SENDMSG/RECVMSG; libuv's where the kernel lacks them)",
      sync: "io_uring_enter(GETEVENTS)",
    },
  },
  libuv: {
    open: (options) => openLibuv(options.libuv),
    capabilities: { files: "libuv's thread pool (fs.read/fs.write callbacks)", sockets: "node:net and node:dgram (epoll)", sync: "readSync/writeSync" },
  },
  threaded: {
    open: openThreadedWithSockets,
    capabilities: { files: "worker threads on SharedArrayBuffer rings", sockets: LENT_SOCKETS, sync: "Atomics.wait" },
  },
};
