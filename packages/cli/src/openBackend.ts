/**
 * Opens the runtime a command asked for with `--backend`: `auto` picks as `openRuntime()` does
 * (PKTIO_BACKENDS honoured); a backend's name opens exactly that backend, or fails with kind
 * Unsupported saying why it cannot work here.
 */
import { BackendNames, IoError, type BackendName, type Runtime } from "@pktio/core";
import { backendOrder, openRuntime, openRuntimeSync, type BackendOptions } from "@pktio/rt";
import { UsageError } from "./UsageError.js";

export const BackendChoices = ["auto", ...BackendNames] as const;
export type BackendChoice = (typeof BackendChoices)[number];

/** Opens `choice`; a PKTIO_BACKENDS that names no backend is a usage mistake (exit 2), as a bad `--backend` is. */
export async function openBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<Runtime> {
  if (choice === "auto") {
    checkEnvOrder();
    return openRuntime({ options });
  }
  return openExactly(choice, options);
}

/**
 * Validates PKTIO_BACKENDS as rt will read it, turning its InvalidInput into a UsageError, and
 * PKTIO_URING as @pktio/uring reads it (0, 1, or unset or empty), which uring refuses with
 * InvalidInput at open: a mistake in either is exit 2, as a bad `--backend` is.
 */
function checkEnvOrder(): void {
  try {
    backendOrder(undefined);
  } catch (error) {
    if (IoError.is(error, "InvalidInput")) throw new UsageError(error.message);
    throw error;
  }
  const uring = process.env["PKTIO_URING"]?.trim() || undefined;
  if (uring !== undefined && uring !== "0" && uring !== "1") throw new UsageError(`PKTIO_URING must be 0 or 1, got ${JSON.stringify(process.env["PKTIO_URING"])}`);
}

/**
 * A user who typed `--backend` (or a bench worker told which backend to measure) means that
 * backend: an explicit `backends` list wins over PKTIO_BACKENDS in rt.
 */
function openExactly(name: BackendName, options: BackendOptions): Runtime {
  return openRuntimeSync({ backends: [name], options });
}
