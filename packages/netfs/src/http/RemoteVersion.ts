/**
 * The version of a remote file captured at open (length, ETag, Last-Modified) and how every later
 * response is held to it: a strong ETag is sent as If-Match, else Last-Modified as
 * If-Unmodified-Since, and a response that names another ETag or date is kind Stale even from a
 * server that ignores the condition. So bytes of two versions never mix in one file.
 */
import type { IoError } from "@pktio/core";
import type { Dispatcher } from "undici";
import { staleError } from "./httpErrors.js";
import { headerValue } from "./sendRequest.js";

/** What was captured at open. */
export interface RemoteVersion {
  readonly size: number;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  /** The precondition headers sent with every range. */
  readonly conditions: Readonly<Record<string, string>>;
}

/** The version of a response's headers, with the size found by the caller. */
export function versionOf(size: number, headers: Dispatcher.ResponseData["headers"]): RemoteVersion {
  return knownVersion(size, headerValue(headers, "etag"), headerValue(headers, "last-modified"));
}

/** A version from its parts (found by HEAD, or given by the caller). */
export function knownVersion(size: number, etag: string | undefined, lastModified: string | undefined): RemoteVersion {
  const conditions: Record<string, string> = {};
  // If-Match compares strongly: a weak ETag (W/"…") would never match, so it is only compared.
  if (etag !== undefined && !etag.startsWith("W/")) conditions["if-match"] = etag;
  else if (lastModified !== undefined) conditions["if-unmodified-since"] = lastModified;
  return { size, etag, lastModified, conditions };
}

/** Kind Stale when the response names another version than the one opened; undefined when it agrees. */
export function checkVersion(version: RemoteVersion, headers: Dispatcher.ResponseData["headers"], op: string, where: string): IoError | undefined {
  const etag = headerValue(headers, "etag");
  if (version.etag !== undefined && etag !== undefined && etag !== version.etag) {
    return staleError(op, where, `ETag ${version.etag} became ${etag}`);
  }
  const lastModified = headerValue(headers, "last-modified");
  if (version.lastModified !== undefined && lastModified !== undefined && lastModified !== version.lastModified) {
    return staleError(op, where, `Last-Modified ${version.lastModified} became ${lastModified}`);
  }
  return undefined;
}
