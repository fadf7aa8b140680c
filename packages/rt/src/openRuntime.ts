/**
 * `openRuntime()`: tries backends in order, falls back past those that report kind Unsupported,
 * and returns the first that opens (`rt.backend` names it). Any other error is the caller's to
 * see (bad options are not a reason to fall back).
 */
import { z } from "zod";
import { IoError, type BackendName, type Runtime } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";
import { registry, type BackendOptions } from "./registry.js";
import { backendOrder, parseOrder } from "./selection.js";

const RuntimeOptions = z.strictObject({
  backends: z.array(z.string()).optional(),
  options: z
    .strictObject({
      libuv: z.record(z.string(), z.unknown()).optional(),
      uring: z.record(z.string(), z.unknown()).optional(),
      threaded: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

export interface RuntimeOptions {
  /** Backends to try, in order; PKTIO_BACKENDS overrides it. Default: uring, libuv, threaded. */
  readonly backends?: readonly BackendName[];
  /** Options for each backend, used if that backend is the one opened. */
  readonly options?: BackendOptions;
}

/** What each tried backend said, for the error when none opens. */
export interface Attempt {
  readonly name: BackendName;
  readonly reason: string;
}

function tryEach(options: RuntimeOptions | undefined): Runtime {
  const parsed = parseOptions(RuntimeOptions, options, "openRuntime options");
  const order = backendOrder(parsed.backends);
  const attempts: Attempt[] = [];
  for (const name of order) {
    try {
      return registry[name].open((parsed.options ?? {}) as BackendOptions);
    } catch (error) {
      if (!IoError.is(error, "Unsupported")) throw error;
      attempts.push({ name, reason: error.message });
    }
  }
  const tried = attempts.map((attempt) => `${attempt.name}: ${attempt.reason}`).join("; ");
  throw new IoError("Unsupported", `no pktio backend works here (${tried})`, { op: "openRuntime" });
}

/** Opens the first backend of the order that works here. */
export async function openRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return tryEach(options);
}

/** The same, for fully synchronous programs. */
export function openRuntimeSync(options?: RuntimeOptions): Runtime {
  return tryEach(options);
}

/**
 * Opens exactly the named backend, ignoring PKTIO_BACKENDS: for tools that compare backends.
 * Its own error (kind Unsupported with the reason) reaches the caller unchanged.
 */
export function openBackend(name: BackendName, options: BackendOptions = {}): Runtime {
  const [checked] = parseOrder([name], "backend");
  return registry[checked as BackendName].open(options);
}
