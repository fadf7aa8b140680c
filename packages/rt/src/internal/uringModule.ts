/**
 * @pktio/uring, loaded lazily: it is an optional dependency, so an install without it (npm's
 * --omit=optional, a platform it does not list) still loads rt, and the uring backend reports why
 * it is missing instead of crashing the import. This is the ES module build's loader: one dynamic
 * import when rt is first evaluated (top-level await, so the sync API sees the result too). The
 * CommonJS build swaps in uringModule.cjs.ts (tsup.config.ts), which requires it on first use.
 */
import { missingUring, type UringModule } from "./uringMissing.js";

const loaded: UringModule | Error = await import("@pktio/uring").then(
  (module) => module,
  (error: unknown) => missingUring(error),
);

/** The uring package, or the Error saying why it cannot be loaded here. */
export function uringModule(): UringModule | Error {
  return loaded;
}
