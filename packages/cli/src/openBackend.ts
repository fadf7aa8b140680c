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
 * rt lets PKTIO_BACKENDS override the order the caller asks for; a user who typed `--backend`
 * (or a bench worker told which backend to measure) means that backend. The variable is set
 * aside around a synchronous open, so nothing else can observe its absence.
 */
function openExactly(name: BackendName, options: BackendOptions): Runtime {
  const saved = process.env["PKTIO_BACKENDS"];
  delete process.env["PKTIO_BACKENDS"];
  try {
    return openRuntimeSync({ backends: [name], options });
  } finally {
    if (saved !== undefined) process.env["PKTIO_BACKENDS"] = saved;
  }
}
