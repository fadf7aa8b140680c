/**
 * Which backends to try, in which order: the caller's list, overridden by PKTIO_BACKENDS
 * (comma-separated), validated so that a typo names itself and the valid choices.
 */
import { BackendNames, IoError, type BackendName } from "@pktio/core";

export const DEFAULT_ORDER: readonly BackendName[] = ["uring", "libuv", "threaded"];

function isBackendName(value: string): value is BackendName {
  return (BackendNames as readonly string[]).includes(value);
}

/** Checks a list of names; `where` names its source in errors ("PKTIO_BACKENDS", "backends"). */
export function parseOrder(names: readonly unknown[], where: string): BackendName[] {
  if (names.length === 0) throw new IoError("InvalidInput", `${where} is empty; valid backends: ${BackendNames.join(", ")}`, { op: "openRuntime" });
  const order: BackendName[] = [];
  for (const name of names) {
    if (typeof name !== "string" || !isBackendName(name)) {
      throw new IoError("InvalidInput", `${where}: unknown backend ${JSON.stringify(name)}; valid backends: ${BackendNames.join(", ")}`, { op: "openRuntime" });
    }
    if (!order.includes(name)) order.push(name);
  }
  return order;
}

/** The order to try: PKTIO_BACKENDS when set (and non-blank), else `requested`, else the default. */
export function backendOrder(requested: readonly unknown[] | undefined, env: NodeJS.ProcessEnv = process.env): BackendName[] {
  const fromEnv = env["PKTIO_BACKENDS"];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    return parseOrder(fromEnv.split(",").map((name) => name.trim()), "PKTIO_BACKENDS");
  }
  return requested === undefined ? [...DEFAULT_ORDER] : parseOrder(requested, "backends");
}
