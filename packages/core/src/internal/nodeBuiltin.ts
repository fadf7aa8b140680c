/**
 * Node's built-in modules, fetched when first needed instead of imported at the top level, so
 * @pktio/core and MemoryIo load where there is no `node:*` (a browser bundle; design.md §2). Deno
 * and Bun provide `process.getBuiltinModule` like Node (>= 20.16), so the Node-only helpers work there too.
 */
import { IoError } from "../IoError.js";

interface BuiltinModules {
  "node:buffer": typeof import("node:buffer");
  "node:fs": typeof import("node:fs");
  "node:net": typeof import("node:net");
  "node:path": typeof import("node:path");
  "node:readline": typeof import("node:readline");
  "node:stream": typeof import("node:stream");
}

const cache = new Map<string, unknown>();

/** The built-in module `id`; kind Unsupported where the runtime has none (a browser). */
export function nodeBuiltin<K extends keyof BuiltinModules>(id: K): BuiltinModules[K] {
  let module = cache.get(id);
  if (module === undefined) {
    const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    module = host?.getBuiltinModule?.(id);
    if (module === undefined) throw new IoError("Unsupported", `${id} is not available in this runtime`, { op: id });
    cache.set(id, module);
  }
  return module as BuiltinModules[K];
}
