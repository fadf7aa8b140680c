/**
 * @pktio/rt: `openRuntime()` picks the best pktio backend that works here (uring, then libuv,
 * then threaded; PKTIO_BACKENDS overrides the order) and pins it.
 */
export { availableBackends, openEach, type Availability } from "./availableBackends.js";
export { openBackend, openRuntime, openRuntimeSync, type Attempt, type RuntimeOptions } from "./openRuntime.js";
export type { BackendCapabilities, BackendOptions } from "./registry.js";
/** The runtime openRuntime returns, and the names of its backends (from @pktio/core). */
export type { BackendName, Runtime } from "@pktio/core";
export { backendOrder, DEFAULT_ORDER, parseOrder } from "./selection.js";
