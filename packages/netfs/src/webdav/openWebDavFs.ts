/**
 * `openWebDavFs(url, options)`: the pktio `Fs` contract over a WebDAV server, rooted at `url`.
 * The open checks with one PROPFIND that the URL is a collection the caller may read, so a
 * wrong URL, token or server fails here with its kind rather than at the first operation.
 */
import { IoError } from "@pktio/core";
import { parseOptions } from "@pktio/core/backend";
import { Agent } from "undici";
import { HttpFileOptions } from "../http/HttpFileOptions.js";
import { redactUrl } from "../http/redactUrl.js";
import { BACKEND, type DavClient } from "./davRequest.js";
import { SyncRequester } from "./SyncRequester.js";
import { WebDavFs } from "./WebDavFs.js";
import { WebDavFsOptions } from "./WebDavFsOptions.js";

/** Opens the WebDAV collection at `url` as a pktio file system; `close()` it when done. */
export async function openWebDavFs(url: string | URL, options?: WebDavFsOptions): Promise<WebDavFs> {
  const parsed = parseOptions(WebDavFsOptions, options, "openWebDavFs options");
  const root = rootUrl(url);
  // The file options are openHttpFile's: checked here, so a mistake fails the open, not the first read.
  if (parsed.file !== undefined) {
    for (const key of ["headers", "dispatcher"]) {
      if (Object.hasOwn(parsed.file, key)) throw new IoError("InvalidInput", `openWebDavFs options: "file.${key}" is taken from the Fs's own options`, { op: "openWebDavFs", backend: BACKEND });
    }
    parseOptions(HttpFileOptions, parsed.file, "openWebDavFs options.file");
  }
  const headers: Record<string, string> = { ...parsed.headers };
  const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
  if (parsed.token !== undefined) {
    if (hasAuthorization) throw new IoError("InvalidInput", "openWebDavFs options: give either token or an Authorization header, not both", { op: "openWebDavFs", backend: BACKEND });
    headers["authorization"] = `Bearer ${parsed.token}`;
  } else if ((root.username !== "" || root.password !== "") && !hasAuthorization) {
    headers["authorization"] = `Basic ${Buffer.from(`${decodeURIComponent(root.username)}:${decodeURIComponent(root.password)}`).toString("base64")}`;
  }
  root.username = "";
  root.password = "";
  const ownsDispatcher = parsed.dispatcher === undefined;
  const dispatcher = parsed.dispatcher ?? new Agent({ connections: 32, headersTimeout: parsed.headersTimeoutMs, bodyTimeout: parsed.bodyTimeoutMs });
  const client: DavClient = { dispatcher, headers, headersTimeoutMs: parsed.headersTimeoutMs, bodyTimeoutMs: parsed.bodyTimeoutMs, maxListingBytes: parsed.maxListingBytes, retry: { retries: parsed.retries, retryDelayMs: parsed.retryDelayMs, maxRetryDelayMs: parsed.maxRetryDelayMs } };
  const sync = new SyncRequester(client);
  const fs = new WebDavFs({
    client,
    sync,
    root,
    fileOptions: parsed.file ?? {},
    maxWriteBytes: parsed.maxWriteBytes,
    release: async () => {
      await sync.close();
      if (ownsDispatcher) await dispatcher.close().catch(() => undefined);
    },
  });
  try {
    const stat = await fs.stat(".");
    if (stat.type !== "directory") throw new IoError("NotADirectory", `openWebDavFs: ${redactUrl(root)} is not a collection`, { op: "openWebDavFs", backend: BACKEND, path: redactUrl(root) });
  } catch (error) {
    await fs.close();
    throw error;
  }
  return fs;
}

/** The root as an http(s) URL whose path ends with "/", without query or fragment. */
function rootUrl(url: string | URL): URL {
  if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError("openWebDavFs: url must be a string or a URL");
  let parsed: URL;
  try {
    parsed = new URL(url instanceof URL ? url.href : url);
  } catch (error) {
    throw new IoError("InvalidInput", `openWebDavFs: url must be an absolute http(s) URL, got ${JSON.stringify(String(url).slice(0, 200))}`, { op: "openWebDavFs", backend: BACKEND, cause: error });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new IoError("InvalidInput", `openWebDavFs: url must be http: or https:, got ${parsed.protocol}`, { op: "openWebDavFs", backend: BACKEND });
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  parsed.search = "";
  parsed.hash = "";
  return parsed;
}
