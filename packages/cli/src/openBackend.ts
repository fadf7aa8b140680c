/**
 * Opens the runtime a command asked for with `--backend`: `auto` picks as `openRuntime()` does
 * (PKTIO_BACKENDS honoured); a backend's name opens exactly that backend, or fails with kind
 * Unsupported saying why it cannot work here.
 */
import { BackendNames, type BackendName, type Runtime } from "@pktio/core";
import { openRuntime, openRuntimeSync, type BackendOptions } from "@pktio/rt";

export const BackendChoices = ["auto", ...BackendNames] as const;
export type BackendChoice = (typeof BackendChoices)[number];

export async function openBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<Runtime> {
  if (choice === "auto") return openRuntime({ options });
  return openExactly(choice, options);
}

/**
 * A user who typed `--backend` (or a bench worker told which backend to measure) means that
 * backend: an explicit `backends` list wins over PKTIO_BACKENDS in rt.
 */
function openExactly(name: BackendName, options: BackendOptions): Runtime {
  return openRuntimeSync({ backends: [name], options });
}
