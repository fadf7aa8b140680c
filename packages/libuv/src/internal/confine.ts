/**
 * Keeps a directory handle's paths beneath it: the lexical check from core, then a symlink check
 * on the disk (the real path of the deepest existing ancestor must stay beneath the real root).
 * The check and the use are two steps, so a concurrent rename can still race it; the uring
 * backend closes that gap with openat2's RESOLVE_BENEATH.
 */
import { promises, realpathSync } from "node:fs";
import { dirname } from "node:path";
import { IoError } from "@pktio/core";
import { isBeneath, resolveBeneath } from "@pktio/core/backend";

function escapes(op: string, path: string): IoError {
  return new IoError("PermissionDenied", `${op}: ${JSON.stringify(path)} leads outside its directory through a symlink`, { op, path, backend: "libuv" });
}

export async function confine(root: string, realRoot: string, path: string, op: string): Promise<string> {
  const absolute = resolveBeneath(root, path, op);
  for (let probe = absolute; ; probe = dirname(probe)) {
    try {
      const real = await promises.realpath(probe);
      if (!isBeneath(realRoot, real)) throw escapes(op, path);
      return absolute;
    } catch (error) {
      if (error instanceof IoError || probe === root || probe === dirname(probe)) throw error;
    }
  }
}

export function confineSync(root: string, realRoot: string, path: string, op: string): string {
  const absolute = resolveBeneath(root, path, op);
  for (let probe = absolute; ; probe = dirname(probe)) {
    try {
      const real = realpathSync(probe);
      if (!isBeneath(realRoot, real)) throw escapes(op, path);
      return absolute;
    } catch (error) {
      if (error instanceof IoError || probe === root || probe === dirname(probe)) throw error;
    }
  }
}
