/**
 * The open part of the backend set: `registerBackend(name, factory)` makes a backend that rt does
 * not ship usable through `openRuntime`, `openBackend`, `availableBackends` and `openEach`, by
 * name, like the built-in three. Registered backends are tried only where they are named (in
 * `backends` or PKTIO_BACKENDS); the default order stays uring, libuv, threaded.
 */
import { BackendNames, IoError, type Runtime } from "@pktio/core";
import { builtins, type BackendCapabilities, type BackendEntry, type BackendOptions } from "./registry.js";

/**
 * Opens a runtime of a registered backend with the options given for it under its name in
 * `openRuntime({ options: { [name]: … } })` (undefined when none), or throws IoError kind
 * Unsupported saying why it cannot work here (rt then falls back to the next backend in order).
 * The runtime's `backend` names the backend that serves it (see `checkRuntime`).
 */
export type BackendFactory = (options: unknown) => Runtime;

/** What `registerBackend` takes besides the factory. */
export interface RegisterOptions {
  /** How the backend serves files, sockets and sync calls, in words, for `availableBackends()`. */
  readonly capabilities?: Partial<BackendCapabilities>;
}

/** A backend name: lower-case letters, digits, `-` and `_`, starting with a letter, at most 32 characters. */
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * The registered backends, in registration order: one table per thread (each thread has its own
 * globals), shared by rt's ES module and CommonJS builds, which are two module instances in one
 * process — a plugin that registers through require() is seen by an app that imports rt.
 */
const REGISTRY = Symbol.for("@pktio/rt.registeredBackends");
const registered: Map<string, BackendEntry> = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Map<string, BackendEntry> | undefined) ?? new Map<string, BackendEntry>();
(globalThis as Record<symbol, unknown>)[REGISTRY] = registered;

/**
 * Registers a backend under `name` and returns a function that unregisters it. Throws InvalidInput
 * for a malformed name, a built-in name, or a name already registered; TypeError when `factory`
 * is not a function.
 */
export function registerBackend(name: string, factory: BackendFactory, options: RegisterOptions = {}): () => void {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new IoError("InvalidInput", `registerBackend: a backend name is lower-case letters, digits, "-" or "_", starting with a letter (at most 32); got ${JSON.stringify(name)}`, { op: "registerBackend" });
  }
  if ((BackendNames as readonly string[]).includes(name)) throw new IoError("InvalidInput", `registerBackend: "${name}" is a built-in backend`, { op: "registerBackend" });
  if (registered.has(name)) throw new IoError("InvalidInput", `registerBackend: "${name}" is already registered`, { op: "registerBackend" });
  if (typeof factory !== "function") throw new TypeError("registerBackend: factory must be a function (options) => Runtime");
  const described = options.capabilities ?? {};
  const entry: BackendEntry = {
    open: (all) => checkRuntime(name, factory((all as Record<string, unknown>)[name])),
    capabilities: { files: described.files ?? "registered backend", sockets: described.sockets ?? "registered backend", sync: described.sync ?? "registered backend" },
  };
  registered.set(name, entry);
  return () => {
    if (registered.get(name) === entry) registered.delete(name);
  };
}

/**
 * A factory's runtime crosses into rt: it must be one, and say which backend serves it. That is
 * the registered name for a backend of its own; a backend built from a built-in one (libuv with
 * options of its own, say) keeps the built-in's name, which its errors carry too.
 */
function checkRuntime(name: string, runtime: unknown): Runtime {
  const candidate = runtime as Partial<Runtime> | null;
  if (typeof candidate !== "object" || candidate === null || typeof candidate.close !== "function" || typeof candidate.fs !== "object" || typeof candidate.io !== "object") {
    throw new IoError("InvalidInput", `the factory of backend "${name}" did not return a Runtime (backend, io, fs, net, close)`, { op: "openRuntime", backend: name });
  }
  if (typeof candidate.backend !== "string" || candidate.backend === "") {
    void candidate.close();
    throw new IoError("InvalidInput", `the factory of backend "${name}" returned a runtime without a backend name`, { op: "openRuntime", backend: name });
  }
  return candidate as Runtime;
}

/** Every backend name rt knows now: the built-in ones, then the registered ones. */
export function knownBackends(): string[] {
  return [...BackendNames, ...registered.keys()];
}

/** The entry of a known backend; callers validate names first (`parseOrder`). */
export function entryOf(name: string): BackendEntry {
  const entry = (builtins as Record<string, BackendEntry | undefined>)[name] ?? registered.get(name);
  if (entry === undefined) throw new IoError("InvalidInput", `unknown backend ${JSON.stringify(name)}; valid backends: ${knownBackends().join(", ")}`, { op: "openRuntime" });
  return entry;
}

export type { BackendOptions };
