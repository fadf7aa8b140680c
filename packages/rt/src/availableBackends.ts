/** Which backends work here, each with the reason when it does not; and all of them opened at once. */
import { BackendNames, IoError, type BackendName, type Runtime } from "@pktio/core";
import { registry, type BackendCapabilities, type BackendOptions } from "./registry.js";

export type Availability = { readonly name: BackendName; readonly capabilities: BackendCapabilities } & ({ readonly ok: true } | { readonly ok: false; readonly reason: string });

/** Opens and closes each backend once to see whether it works here. */
export async function availableBackends(options: BackendOptions = {}): Promise<Availability[]> {
  const results: Availability[] = [];
  for (const name of BackendNames) {
    try {
      await registry[name].open(options).close();
      results.push({ name, ok: true, capabilities: registry[name].capabilities });
    } catch (error) {
      results.push({ name, ok: false, reason: error instanceof Error ? error.message : String(error), capabilities: registry[name].capabilities });
    }
  }
  return results;
}

/** A runtime of every backend that works here (for tests and benchmarks); close each one. */
export async function openEach(options: BackendOptions = {}): Promise<Runtime[]> {
  const runtimes: Runtime[] = [];
  for (const name of BackendNames) {
    try {
      runtimes.push(registry[name].open(options));
    } catch (error) {
      if (!IoError.is(error, "Unsupported")) {
        await Promise.all(runtimes.map((runtime) => runtime.close()));
        throw error;
      }
    }
  }
  return runtimes;
}
