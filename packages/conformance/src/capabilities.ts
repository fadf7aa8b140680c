/**
 * Capability flags: what a backend can do. A missing capability carries its reason, and the
 * scenarios that need it are reported as skipped with that reason, while the rest still run.
 */

import type { HostileCaps } from "./hostileScenarios.js";

/** `true` when present; otherwise the reason it is missing. */
export type Capability = true | { readonly missing: string };

export interface BackendCaps {
  /** `blockOn` or `submitSync` works, so every `*Sync` helper is real. */
  readonly sync: Capability;
  /** A file system (`Runtime.fs`): the fixture-tree scenarios. */
  readonly fs: Capability;
  /** TCP (`Runtime.net`): the network scenarios. */
  readonly net: Capability;
  /** `readExactSync`/`writeAllSync` on its streams block until done (else they must fail Unsupported with a reason). */
  readonly syncSockets?: Capability;
  /** Hostile-caller and stuck-operation scenarios it cannot pass yet, with reasons (default: all run). */
  readonly hostile?: HostileCaps;
}

export function has(capability: Capability): capability is true {
  return capability === true;
}

export function reasonOf(capability: Capability): string {
  return capability === true ? "" : capability.missing;
}

/** A test title that says why it is skipped, when it is. */
export function titled(title: string, capability: Capability): string {
  return capability === true ? title : `${title} (skipped: ${capability.missing})`;
}
