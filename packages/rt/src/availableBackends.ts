/**
 * Which backends rt knows (built-in, then registered) and whether each works here, with the
 * reason when it does not; and all that work opened at once.
 */
import { IoError, type BackendName, type Runtime } from "@pktio/core";
import { entryOf, knownBackends } from "./registerBackend.js";
import type { BackendCapabilities, BackendOptions } from "./registry.js";

export type Availability = { readonly name: BackendName | (string & {}); readonly capabilities: BackendCapabilities } & ({ readonly ok: true } | { readonly ok: false; readonly reason: string });

/** Opens and closes each known backend once (built-in, then registered) to see whether it works here. */
export async function availableBackends(options: BackendOptions = {}): Promise<Availability[]> {
  const results: Availability[] = [];
  for (const name of knownBackends()) {
    const entry = entryOf(name);
    try {
      await entry.open(options).close();
      results.push({ name, ok: true, capabilities: entry.capabilities });
    } catch (error) {
      results.push({ name, ok: false, reason: error instanceof Error ? error.message : String(error), capabilities: entry.capabilities });
    }
  }
  return results;
}

/** A runtime of every known backend that works here (for tests and benchmarks); close each one. */
export async function openEach(options: BackendOptions = {}): Promise<Runtime[]> {
  const runtimes: Runtime[] = [];
  for (const name of knownBackends()) {
    try {
      runtimes.push(entryOf(name).open(options));
    } catch (error) {
      if (!IoError.is(error, "Unsupported")) {
        await Promise.all(runtimes.map((runtime) => runtime.close()));
        throw error;
      }
    }
  }
  return runtimes;
}
