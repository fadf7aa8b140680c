/**
 * Keeps a directory handle's paths beneath it: core's `confineWalk` (the lexical check, then
 * every component lstat'ed and every symlink's target checked, dangling ones included), driven
 * by node:fs calls. The check and the use are still two steps, so a concurrent rename can race
 * it; opening the last component with O_NOFOLLOW narrows that window for files, and every open
 * beneath a root is checked once more on its fd (core's `openedOutside`).
 */
import { confineWithNodeFs, confineWithNodeFsSync, type Confined } from "@pktio/core/backend";

/** The path beneath `root` and whether its last component is a symlink; PermissionDenied if it leads outside. */
export function confineEntry(root: string, realRoot: string, path: string, op: string, followLast = true): Promise<Confined> {
  return confineWithNodeFs(root, realRoot, path, op, followLast);
}

export function confineEntrySync(root: string, realRoot: string, path: string, op: string, followLast = true): Confined {
  return confineWithNodeFsSync(root, realRoot, path, op, followLast);
}

export async function confine(root: string, realRoot: string, path: string, op: string, followLast = true): Promise<string> {
  return (await confineEntry(root, realRoot, path, op, followLast)).path;
}

export function confineSync(root: string, realRoot: string, path: string, op: string, followLast = true): string {
  return confineEntrySync(root, realRoot, path, op, followLast).path;
}
