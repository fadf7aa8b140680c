/**
 * `openRuntime()`: tries backends in order, falls back past those that report kind Unsupported,
 * and returns the first that opens (`rt.backend` names it). Any other error is the caller's to
 * see (bad options are not a reason to fall back).
 */
import { z } from "zod";
import { IoError, type BackendName, type Runtime } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";
import type { BackendOptions } from "./registry.js";
import { entryOf, knownBackends } from "./registerBackend.js";
import { backendOrder, parseOrder } from "./selection.js";

const RuntimeOptions = z.strictObject({
  backends: z.array(z.string()).optional(),
  // Keyed by backend name, checked against the known names below; each backend validates its own.
  options: z.record(z.string(), z.unknown()).optional(),
});

export interface RuntimeOptions {
  /**
   * Backends to try, in order: built-in or registered names. When given it wins over
   * PKTIO_BACKENDS, which sets the default order only. Default: uring, libuv, threaded.
   */
  readonly backends?: readonly (BackendName | (string & {}))[];
  /** Options for each backend, by name, used if that backend is the one opened. */
  readonly options?: BackendOptions;
}

/** What each tried backend said, for the error when none opens. */
export interface Attempt {
  readonly name: string;
  readonly reason: string;
}

function checkOptionNames(options: Record<string, unknown>): BackendOptions {
  const known = knownBackends();
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new IoError("InvalidInput", `openRuntime options: options for unknown backend ${JSON.stringify(name)}; valid backends: ${known.join(", ")}`, { op: "openRuntime" });
  }
  return options as BackendOptions;
}

function tryEach(options: RuntimeOptions | undefined): Runtime {
  const parsed = parseOptions(RuntimeOptions, options, "openRuntime options");
  const order = backendOrder(parsed.backends);
  const perBackend = checkOptionNames(parsed.options ?? {});
  const attempts: Attempt[] = [];
  for (const name of order) {
    try {
      return entryOf(name).open(perBackend);
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
 * Opens exactly the named backend (built-in or registered), ignoring PKTIO_BACKENDS: for tools
 * that compare backends. Its own error (kind Unsupported with the reason) reaches the caller unchanged.
 */
export function openBackend(name: BackendName | (string & {}), options: BackendOptions = {}): Runtime {
  const [checked] = parseOrder([name], "backend");
  return entryOf(checked as string).open(options);
}
