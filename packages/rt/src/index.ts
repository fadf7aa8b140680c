/**
 * @pktio/rt: `openRuntime()` picks the best pktio backend that works here (uring, then libuv,
 * then threaded; PKTIO_BACKENDS sets the default order, an explicit `backends` list wins) and
 * pins it. `registerBackend` adds backends rt does not ship.
 */
export { availableBackends, openEach, type Availability } from "./availableBackends.js";
export { openBackend, openRuntime, openRuntimeSync, type Attempt, type RuntimeOptions } from "./openRuntime.js";
export type { BackendCapabilities, BackendOptions } from "./registry.js";
export type { UringBackendOptions } from "./UringBackendOptions.js";
export { registerBackend, type BackendFactory, type RegisterOptions } from "./registerBackend.js";
/** The runtime openRuntime returns, and the names of its backends (from @pktio/core). */
export type { BackendName, Runtime } from "@pktio/core";
export { backendOrder, DEFAULT_ORDER, parseOrder } from "./selection.js";
