/** `openThreaded()`: a Runtime whose files are served by worker threads. */
import { z } from "zod";
import { IoError, type Runtime, type Tcp, type Udp } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";
import { BACKEND } from "./internal/errors.js";
import { waitAsync } from "./internal/waitAsync.js";
import { NoSockets, NoUdp } from "./NoSockets.js";
import { ThreadedBackend } from "./ThreadedBackend.js";
import { ThreadedFs } from "./ThreadedFs.js";
import type { ThreadedOptions } from "./ThreadedOptions.js";

export interface ThreadedRuntime extends Runtime {
  readonly backend: "threaded";
  readonly io: ThreadedBackend;
  readonly fs: ThreadedFs;
  readonly net: Tcp;
  readonly udp: Udp;
}

/** What another backend lends a threaded runtime. */
export interface ThreadedParts {
  /** Sockets to expose as `net` (rt lends libuv's); without it, connect and listen are Unsupported. */
  readonly net?: Tcp;
  /** UDP to expose as `udp` (rt lends libuv's node:dgram); without it, bind is Unsupported. */
  readonly udp?: Udp;
}

const isTcp = (value: unknown): value is Tcp =>
  typeof value === "object" && value !== null && typeof (value as Tcp).connect === "function" && typeof (value as Tcp).listen === "function";

const isUdp = (value: unknown): value is Udp => typeof value === "object" && value !== null && typeof (value as Udp).bind === "function";

const ThreadedParts = z.strictObject({
  net: z.custom<Tcp>(isTcp, "must be a Tcp (an object with connect and listen)").optional(),
  udp: z.custom<Udp>(isUdp, "must be a Udp (an object with bind)").optional(),
});

/**
 * Opens a threaded runtime; workers start on first use. Throws IoError kind InvalidInput for bad
 * options, kind Unsupported where SharedArrayBuffer or Atomics.waitAsync is missing. Closing it
 * leaves a lent `net` and `udp` open: its owner closes it.
 */
export function openThreaded(options?: ThreadedOptions, parts?: ThreadedParts): ThreadedRuntime {
  const lent = parseOptions(ThreadedParts, parts, "threaded parts");
  if (typeof SharedArrayBuffer !== "function" || waitAsync === undefined) {
    throw new IoError("Unsupported", "the threaded backend needs SharedArrayBuffer and Atomics.waitAsync", { op: "openRuntime", backend: BACKEND });
  }
  const backend = new ThreadedBackend(options);
  return {
    backend: "threaded",
    io: backend,
    fs: new ThreadedFs(backend),
    net: lent.net === undefined ? new NoSockets() : lentTcp(lent.net, backend),
    udp: lent.udp === undefined ? new NoUdp() : lentUdp(lent.udp, backend),
    close: () => backend.close(),
  };
}

/**
 * The lender's sockets, refused once this runtime is closed with its own name: a closed runtime's
 * error names its backend (the lender's checks said "the libuv runtime is closed", backend libuv,
 * to a caller who opened threaded; and its lender may outlive it).
 */
function lentTcp(net: Tcp, backend: ThreadedBackend): Tcp {
  return {
    connect: (address) => (backend.closed ? closedRuntime("connect") : net.connect(address)),
    listen: (address) => (backend.closed ? closedRuntime("listen") : net.listen(address)),
  };
}
function lentUdp(udp: Udp, backend: ThreadedBackend): Udp {
  return { bind: (address) => (backend.closed ? closedRuntime("bind") : udp.bind(address)) };
}
function closedRuntime(op: string): Promise<never> {
  return Promise.reject(new IoError("Closed", `${op}: the ${BACKEND} runtime is closed`, { op, backend: BACKEND }));
}
