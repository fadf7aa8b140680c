/**
 * Which backends to try, in which order: the caller's list when given; otherwise PKTIO_BACKENDS
 * (comma-separated) when set; otherwise the default. The environment chooses the default order
 * only: code that names its backends gets them. Names are validated so that a typo names itself
 * and the valid choices (built-in and registered).
 */
import { IoError, type BackendName } from "@pktio/core";
import { knownBackends } from "./registerBackend.js";

export const DEFAULT_ORDER: readonly BackendName[] = ["uring", "libuv", "threaded"];

/** Checks a list of names; `where` names its source in errors ("PKTIO_BACKENDS", "backends"). */
export function parseOrder(names: readonly unknown[], where: string): string[] {
  const known = knownBackends();
  if (names.length === 0) throw new IoError("InvalidInput", `${where} is empty; valid backends: ${known.join(", ")}`, { op: "openRuntime" });
  const order: string[] = [];
  for (const name of names) {
    if (typeof name !== "string" || !known.includes(name)) {
      throw new IoError("InvalidInput", `${where}: unknown backend ${JSON.stringify(name)}; valid backends: ${known.join(", ")}`, { op: "openRuntime" });
    }
    if (!order.includes(name)) order.push(name);
  }
  return order;
}

/** The order to try: `requested` when given, else PKTIO_BACKENDS when set (and non-blank), else the default. */
export function backendOrder(requested: readonly unknown[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (requested !== undefined) return parseOrder(requested, "backends");
  const fromEnv = env["PKTIO_BACKENDS"];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    return parseOrder(fromEnv.split(",").map((name) => name.trim()), "PKTIO_BACKENDS");
  }
  return [...DEFAULT_ORDER];
}
