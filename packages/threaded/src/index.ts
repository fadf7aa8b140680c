/**
 * @pktio/threaded: the pktio backend on worker threads. Requests travel to a small pool of
 * workers through SharedArrayBuffer rings and are performed with Node's sync fs calls;
 * completions come back through Atomics (waitAsync between turns, wait when blocking), so
 * every `*Sync` helper is real. Buffers over a SharedArrayBuffer (`allocShared`) are read and
 * written in place; others go through a bounce arena.
 */
export { allocShared, isShared } from "./allocShared.js";
export { NoSockets, NoUdp } from "./NoSockets.js";
export { openThreaded, type ThreadedParts, type ThreadedRuntime } from "./openThreaded.js";
export { ThreadedBackend, type Closable } from "./ThreadedBackend.js";
export { MAX_SINGLE_IO, ThreadedFile } from "./ThreadedFile.js";
export { ThreadedDirHandle, ThreadedFs } from "./ThreadedFs.js";
export { DEFAULT_WORKERS, ThreadedOptions, type ResolvedThreadedOptions } from "./ThreadedOptions.js";
