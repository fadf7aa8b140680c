/**
 * Files a PUT or a COPY writes before they replace their target, under a name with the
 * server's reserved prefix, renamed onto the target once whole. They are staged in the served
 * root itself where they can be: the root is the one collection no request can move or delete
 * (403), so a staged file stays where its request will look for it (staged beside the target, a
 * PUT into a collection that a MOVE carried away meanwhile left its upload in the moved
 * collection, under a name no client can list, read or delete). Beside the target when the root
 * cannot hold it: a root that is not writable (a read-only root with writable collections), or a
 * target on another file system mounted beneath the root (whose room the upload needs; a rename
 * across file systems fails EXDEV anyway).
 */
import { randomBytes } from "node:crypto";
import { IoError, type FileHandle } from "@pktio/core";
import { copyThroughOpens } from "./copyThroughOpens.js";
import type { Exchange } from "./Exchange.js";
import { UPLOAD_PREFIX } from "./requestPath.js";

/** A fresh name for a staged file (64 random bits: names never collide). */
export function stagingName(): string {
  return `${UPLOAD_PREFIX}${randomBytes(8).toString("hex")}`;
}

/** A new staged file for a target in the collection `parent` (names beneath the root), open for writing. */
export async function openStaged(exchange: Exchange, parent: readonly string[]): Promise<{ name: string; file: FileHandle }> {
  const { dir } = exchange;
  const beside = async (): Promise<{ name: string; file: FileHandle }> => {
    const name = [...parent, stagingName()].join("/");
    return { name, file: await dir.open(name, { write: true, createNew: true }) };
  };
  if (parent.length > 0 && (await dir.stat(parent.join("/"))).device !== (await dir.stat(".")).device) return beside();
  const name = stagingName();
  try {
    return { name, file: await dir.open(name, { write: true, createNew: true }) };
  } catch (error) {
    // The root refuses new files (its mode, a read-only mount): its collections may not.
    if (parent.length > 0 && error instanceof IoError && (error.kind === "PermissionDenied" || error.code === "EROFS")) return beside();
    throw error;
  }
}

/**
 * Puts the staged file `staged` in place of `target` (names beneath the root): a rename, atomic
 * for readers. Where the target's collection is on another file system mounted beneath the root
 * (rename fails EXDEV), the bytes are copied into a second staged file beside the target, which
 * is renamed over it, and `staged` is removed. On success `staged` is gone; on failure the
 * caller removes what is left of it.
 */
export async function commitStaged(exchange: Exchange, staged: string, target: readonly string[]): Promise<void> {
  const to = target.join("/");
  try {
    return await exchange.dir.rename(staged, to);
  } catch (error) {
    if (!(error instanceof IoError) || error.code !== "EXDEV") throw error;
  }
  const beside = [...target.slice(0, -1), stagingName()].join("/");
  try {
    await copyThroughOpens(exchange, staged, beside);
    await exchange.dir.rename(beside, to);
  } catch (error) {
    await exchange.dir.removeFile(beside).catch(() => undefined);
    throw error;
  }
  await exchange.dir.removeFile(staged).catch(() => undefined);
}
