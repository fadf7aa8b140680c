/** `openThreaded()`: a Runtime whose files are served by worker threads. */
import { z } from "zod";
import { IoError, type Runtime, type Tcp } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";
import { BACKEND } from "./internal/errors.js";
import { waitAsync } from "./internal/waitAsync.js";
import { NoSockets } from "./NoSockets.js";
import { ThreadedBackend } from "./ThreadedBackend.js";
import { ThreadedFs } from "./ThreadedFs.js";
import type { ThreadedOptions } from "./ThreadedOptions.js";

export interface ThreadedRuntime extends Runtime {
  readonly backend: "threaded";
  readonly io: ThreadedBackend;
  readonly fs: ThreadedFs;
  readonly net: Tcp;
}

/** What another backend lends a threaded runtime. */
export interface ThreadedParts {
  /** Sockets to expose as `net` (rt lends libuv's); without it, connect and listen are Unsupported. */
  readonly net?: Tcp;
}

const isTcp = (value: unknown): value is Tcp =>
  typeof value === "object" && value !== null && typeof (value as Tcp).connect === "function" && typeof (value as Tcp).listen === "function";

const ThreadedParts = z.strictObject({
  net: z.custom<Tcp>(isTcp, "must be a Tcp (an object with connect and listen)").optional(),
});

/**
 * Opens a threaded runtime; workers start on first use. Throws IoError kind InvalidInput for bad
 * options, kind Unsupported where SharedArrayBuffer or Atomics.waitAsync is missing. Closing it
 * leaves a lent `net` open: its owner closes it.
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
    net: lent.net ?? new NoSockets(),
    close: () => backend.close(),
  };
}
