/**
 * The pktio `Fs` contract over WebDAV (RFC 4918): stat and readDir are PROPFIND (Depth 0 and 1)
 * answers parsed strictly; files open for reading through `openHttpFile` (Range requests), for
 * writing as whole-file PUTs (`WebDavWriteFile`); mkdir is MKCOL, rename MOVE (Overwrite: T, as
 * POSIX rename replaces), removeFile and removeDir DELETE after a PROPFIND that checks the kind
 * of resource, copyFile COPY with a GET+PUT fallback. Writing into an existing file uses
 * sabre/dav's partial updates (PATCH) where the server advertises them (`WebDavPatchFile`). The same class is the directory handle
 * `openDir` returns: its paths are relative and never climb out of it (`davPaths.ts`).
 * Blocking twins are Unsupported: every operation is a network request.
 */
import { IoError, type DirEntry, type DirHandle, type FileHandle, type FileStat, type MkdirOptions, type OpenOptions, type RemoveDirOptions } from "@pktio/core";
import { resolveOpenOptions } from "@pktio/core/backend";
import { openHttpFile } from "../http/openHttpFile.js";
import type { HttpFileOptions } from "../http/HttpFileOptions.js";
import { redactUrl } from "../http/redactUrl.js";
import { headerValue } from "../http/sendRequest.js";
import { BACKEND, davRequest, davStatusError, type DavCall, type DavClient } from "./davRequest.js";
import { pathOf, resolveNames, urlOf } from "./davPaths.js";
import { parseMultistatus, type DavResource } from "./parseMultistatus.js";
import { XmlError } from "./parseXml.js";
import { PARTIAL_UPDATE, WebDavPatchFile } from "./WebDavPatchFile.js";
import { WebDavWriteFile } from "./WebDavWriteFile.js";

const PROPFIND_BODY = `<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:creationdate/><D:getetag/></D:prop></D:propfind>\n`;

/** What the Fs and its directory handles share. */
export interface WebDavShared {
  readonly client: DavClient;
  /** The root URL (ending with "/"): no path ever names anything above it. */
  readonly root: URL;
  readonly fileOptions: Omit<HttpFileOptions, "headers" | "dispatcher">;
  readonly maxWriteBytes: number;
  /** Called by the top-level `close()`: closes the agent if the Fs made it. */
  readonly release: () => Promise<void>;
}

export class WebDavFs implements DirHandle {
  /** The handle's directory as a path beneath the root URL ("/" for the Fs itself). */
  readonly path: string;
  readonly #shared: WebDavShared;
  readonly #base: readonly string[];
  readonly #isHandle: boolean;
  #closed = false;

  /** @internal Made by `openWebDavFs` (and `openDir`). */
  constructor(shared: WebDavShared, base: readonly string[] = [], isHandle = false) {
    this.#shared = shared;
    this.#base = base;
    this.#isHandle = isHandle;
    this.path = "/" + base.join("/");
  }

  /** The root URL this Fs was opened with. */
  get url(): URL {
    return new URL(this.#shared.root.href);
  }

  async stat(path: string): Promise<FileStat> {
    return statOf(await this.#resource(this.#names(path, "stat"), "stat"));
  }

  async *readDir(path: string): AsyncIterable<DirEntry> {
    for (const entry of await this.#list(this.#names(path, "readDir"), "readDir")) yield { name: entry.name, type: entry.resource.isCollection ? "directory" : "file" };
  }

  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    await this.#mkcol(this.#names(path, "mkdir"), options.recursive === true);
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.#names(from, "rename");
    const target = this.#names(to, "rename");
    if (source.length === 0 || target.length === 0) throw new IoError("InvalidInput", "rename: the root cannot be renamed or replaced", { op: "rename", backend: BACKEND });
    const call: DavCall = { method: "MOVE", url: urlOf(this.#shared.root, source), op: "rename", headers: { destination: urlOf(this.#shared.root, target).href, overwrite: "T" } };
    const answer = await davRequest(this.#shared.client, call);
    if (answer.status === 201 || answer.status === 204) return;
    // Servers differ on a missing source (404, 409, even 500 from webdav-server): ask which it was.
    if (answer.status !== 404 && (await this.#resourceOrMissing(source, "rename")) === undefined) {
      throw new IoError("NotFound", `rename: ${JSON.stringify(from)} does not exist`, { op: "rename", backend: BACKEND, path: from });
    }
    throw davStatusError(answer, call, { 409: "NotFound", 412: "AlreadyExists" });
  }

  async removeFile(path: string): Promise<void> {
    const names = this.#names(path, "removeFile");
    const resource = await this.#resource(names, "removeFile");
    if (resource.isCollection) throw new IoError("IsADirectory", `removeFile: ${JSON.stringify(path)} is a directory`, { op: "removeFile", backend: BACKEND, path });
    // If-Match: a DELETE is recursive on a collection; never let one replace the file meanwhile.
    await this.#delete(names, false, "removeFile", resource.etag);
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<void> {
    const names = this.#names(path, "removeDir");
    const members = await this.#list(names, "removeDir");
    if (options.recursive !== true && members.length > 0) throw new IoError("DirectoryNotEmpty", `removeDir: ${JSON.stringify(path)} is not empty`, { op: "removeDir", backend: BACKEND, path });
    await this.#delete(names, true, "removeDir", undefined);
  }

  async copyFile(from: string, to: string): Promise<void> {
    const source = this.#names(from, "copyFile");
    const target = this.#names(to, "copyFile");
    const resource = await this.#resource(source, "copyFile");
    if (resource.isCollection) throw new IoError("IsADirectory", `copyFile: ${JSON.stringify(from)} is a directory`, { op: "copyFile", backend: BACKEND, path: from });
    const call: DavCall = { method: "COPY", url: urlOf(this.#shared.root, source), op: "copyFile", headers: { destination: urlOf(this.#shared.root, target).href, overwrite: "T", depth: "0" } };
    const answer = await davRequest(this.#shared.client, call);
    if (answer.status === 201 || answer.status === 204) return;
    if (answer.status !== 405 && answer.status !== 501) throw davStatusError(answer, call, { 409: "NotFound" });
    // A server without COPY (pktio serve has none): read the file and PUT it.
    const file = await openHttpFile(urlOf(this.#shared.root, source), this.#fileOptions());
    let bytes: Uint8Array;
    try {
      bytes = await file.readToEnd();
    } finally {
      await file.close();
    }
    const put: DavCall = { method: "PUT", url: urlOf(this.#shared.root, target), op: "copyFile", body: bytes, headers: { "content-type": "application/octet-stream" } };
    const written = await davRequest(this.#shared.client, put);
    if (written.status < 200 || written.status > 299) throw davStatusError(written, put, { 409: "NotFound" });
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const resolved = resolveOpenOptions(options);
    const names = this.#names(path, "open");
    const url = urlOf(this.#shared.root, names);
    const writes = resolved.write || resolved.append;
    if (!writes) {
      const resource = await this.#resource(names, "open");
      if (resource.isCollection) throw new IoError("IsADirectory", `open: ${JSON.stringify(path)} is a directory`, { op: "open", backend: BACKEND, path });
      return openHttpFile(url, this.#fileOptions());
    }
    if (resolved.append) throw new IoError("Unsupported", "open: WebDAV has no append (a PUT replaces the whole file); open with write and truncate, or createNew", { op: "open", backend: BACKEND, path });
    const existing = await this.#resourceOrMissing(names, "open");
    if (existing?.isCollection === true || names.length === 0) throw new IoError("IsADirectory", `open: ${JSON.stringify(path)} is a directory`, { op: "open", backend: BACKEND, path });
    if (existing !== undefined && resolved.createNew) throw new IoError("AlreadyExists", `open: ${JSON.stringify(path)} already exists`, { op: "open", backend: BACKEND, path });
    if (existing === undefined && !resolved.create && !resolved.createNew) throw new IoError("NotFound", `open: ${JSON.stringify(path)} does not exist`, { op: "open", backend: BACKEND, path });
    if (existing !== undefined && !resolved.truncate && existing.size > 0) {
      // Writing into the file as it is: only where the server takes partial updates.
      if (await this.#acceptsPartialUpdates(url)) {
        return new WebDavPatchFile({ client: this.#shared.client, url, where: redactUrl(url), readable: resolved.read, stat: () => this.stat(path) });
      }
      throw new IoError(
        "Unsupported",
        `open: writing into an existing file needs partial writes, which WebDAV does not have and this server does not offer as an extension (no Accept-Patch: ${PARTIAL_UPDATE}); open it with truncate (the whole file is rewritten) or write a new file and rename it over this one`,
        { op: "open", backend: BACKEND, path },
      );
    }
    // Created (or truncated) now, as open(2) would: an empty PUT; createNew only if nothing is there.
    const call: DavCall = { method: "PUT", url, op: "open", body: new Uint8Array(0), headers: { "content-type": "application/octet-stream", ...(resolved.createNew ? { "if-none-match": "*" } : {}) } };
    const answer = await davRequest(this.#shared.client, call);
    if (answer.status < 200 || answer.status > 299) throw davStatusError(answer, call, { 409: "NotFound", 412: "AlreadyExists", 405: "IsADirectory" });
    return new WebDavWriteFile({ client: this.#shared.client, url, where: redactUrl(url), readable: resolved.read, maxBytes: this.#shared.maxWriteBytes, etag: headerValue(answer.headers, "etag") });
  }

  /** Whether OPTIONS on `url` advertises sabre/dav's partial updates (DAV: sabredav-partialupdate, or Accept-Patch). */
  async #acceptsPartialUpdates(url: URL): Promise<boolean> {
    const answer = await davRequest(this.#shared.client, { method: "OPTIONS", url, op: "open" });
    if (answer.status < 200 || answer.status > 299) return false;
    // sabre/dav names the feature in DAV; an Accept-Patch listing the media type says the same.
    const features = (headerValue(answer.headers, "dav") ?? "").split(",").map((feature) => feature.trim().toLowerCase());
    const accepted = (headerValue(answer.headers, "accept-patch") ?? "").split(",").map((type) => type.split(";")[0]?.trim().toLowerCase());
    return features.includes("sabredav-partialupdate") || accepted.includes(PARTIAL_UPDATE);
  }

  async openDir(path: string): Promise<DirHandle> {
    const names = this.#names(path, "openDir");
    const resource = await this.#resource(names, "openDir");
    if (!resource.isCollection) throw new IoError("NotADirectory", `openDir: ${JSON.stringify(path)} is not a directory`, { op: "openDir", backend: BACKEND, path });
    return new WebDavFs(this.#shared, names, true);
  }

  /** A directory handle forgets itself; the Fs also closes the agent it made. Later calls fail with kind Closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#isHandle) await this.#shared.release();
  }

  /** Blocking twins: kind Unsupported (every operation is a network request). */
  openSync(_path: string, _options?: OpenOptions): FileHandle {
    throw unsupportedSync("openSync");
  }
  statSync(_path: string): FileStat {
    throw unsupportedSync("statSync");
  }
  readDirSync(_path: string): DirEntry[] {
    throw unsupportedSync("readDirSync");
  }
  mkdirSync(_path: string, _options?: MkdirOptions): void {
    throw unsupportedSync("mkdirSync");
  }
  renameSync(_from: string, _to: string): void {
    throw unsupportedSync("renameSync");
  }
  removeFileSync(_path: string): void {
    throw unsupportedSync("removeFileSync");
  }
  removeDirSync(_path: string, _options?: RemoveDirOptions): void {
    throw unsupportedSync("removeDirSync");
  }
  copyFileSync(_from: string, _to: string): void {
    throw unsupportedSync("copyFileSync");
  }
  openDirSync(_path: string): DirHandle {
    throw unsupportedSync("openDirSync");
  }
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#isHandle) void this.#shared.release();
  }

  #names(path: string, op: string): string[] {
    if (this.#closed) throw new IoError("Closed", `${op}: the WebDAV ${this.#isHandle ? "directory handle" : "file system"} is closed`, { op, backend: BACKEND });
    return resolveNames(this.#base, path, op, this.#isHandle);
  }

  #fileOptions(): HttpFileOptions {
    return { ...this.#shared.fileOptions, headers: this.#shared.client.headers, dispatcher: this.#shared.client.dispatcher };
  }

  /** PROPFIND at `depth`; the resources of a 207, NotFound/… for other statuses, InvalidData for a malformed answer. */
  async #propfind(names: readonly string[], depth: "0" | "1", op: string): Promise<DavResource[]> {
    let call: DavCall = { method: "PROPFIND", url: urlOf(this.#shared.root, names), op, body: PROPFIND_BODY, headers: { depth, "content-type": "application/xml; charset=utf-8" } };
    let answer = await davRequest(this.#shared.client, call, true);
    // Some servers redirect a collection named without its trailing slash: follow that one redirect only.
    const location = headerValue(answer.headers, "location");
    if (answer.status >= 301 && answer.status <= 308 && location !== undefined && new URL(location, call.url).href === urlOf(this.#shared.root, names, true).href) {
      call = { ...call, url: urlOf(this.#shared.root, names, true) };
      answer = await davRequest(this.#shared.client, call, true);
    }
    if (answer.status !== 207) throw davStatusError(answer, call);
    try {
      return parseMultistatus(answer.body, call.url).filter((resource) => resource.status >= 200 && resource.status < 300);
    } catch (error) {
      if (error instanceof XmlError) throw new IoError("InvalidData", `${op} ${redactUrl(call.url)}: malformed PROPFIND answer: ${error.message}`, { op, backend: BACKEND, path: redactUrl(call.url), cause: error });
      throw error;
    }
  }

  /** The resource at `names` itself (Depth 0). */
  async #resource(names: readonly string[], op: string): Promise<DavResource> {
    const resources = await this.#propfind(names, "0", op);
    const own = pathOf(this.#shared.root, names);
    const found = resources.find((resource) => resource.path === own) ?? (resources.length === 1 ? resources[0] : undefined);
    if (found === undefined) throw new IoError("InvalidData", `${op} ${redactUrl(urlOf(this.#shared.root, names))}: the PROPFIND answer does not describe the resource asked for`, { op, backend: BACKEND });
    return found;
  }

  async #resourceOrMissing(names: readonly string[], op: string): Promise<DavResource | undefined> {
    try {
      return await this.#resource(names, op);
    } catch (error) {
      if (IoError.is(error, "NotFound")) return undefined;
      throw error;
    }
  }

  /** The members of the collection at `names` (Depth 1), each a direct child with a plain name. */
  async #list(names: readonly string[], op: string): Promise<{ name: string; resource: DavResource }[]> {
    const resources = await this.#propfind(names, "1", op);
    const own = pathOf(this.#shared.root, names);
    const self = resources.find((resource) => resource.path === own);
    if (self === undefined) throw new IoError("InvalidData", `${op} ${redactUrl(urlOf(this.#shared.root, names))}: the PROPFIND answer does not describe the collection asked for`, { op, backend: BACKEND });
    if (!self.isCollection) throw new IoError("NotADirectory", `${op}: ${JSON.stringify(this.path === "/" ? own : own)} is not a directory`, { op, backend: BACKEND });
    const prefix = own.endsWith("/") ? own : own + "/";
    const members: { name: string; resource: DavResource }[] = [];
    for (const resource of resources) {
      if (resource === self) continue;
      const name = resource.path.startsWith(prefix) ? resource.path.slice(prefix.length) : "";
      if (name === "" || name === "." || name === ".." || name.includes("/")) {
        throw new IoError("InvalidData", `${op} ${redactUrl(urlOf(this.#shared.root, names))}: the listing names ${JSON.stringify(resource.path.slice(0, 200))}, which is not a member of the collection`, { op, backend: BACKEND });
      }
      members.push({ name, resource });
    }
    return members;
  }

  async #mkcol(names: readonly string[], recursive: boolean): Promise<void> {
    const exists = async (): Promise<void> => {
      const resource = recursive ? await this.#resourceOrMissing(names, "mkdir") : undefined;
      if (resource?.isCollection !== true) throw new IoError("AlreadyExists", `mkdir: ${JSON.stringify(this.path === "/" ? "/" + names.join("/") : names.join("/"))} already exists`, { op: "mkdir", backend: BACKEND });
    };
    if (names.length === 0) return exists();
    // Some servers (rclone) answer 201 to a MKCOL of an existing collection: ask first.
    if (!recursive && (await this.#resourceOrMissing(names, "mkdir")) !== undefined) return exists();
    const call: DavCall = { method: "MKCOL", url: urlOf(this.#shared.root, names, true), op: "mkdir" };
    let answer = await davRequest(this.#shared.client, call);
    if (answer.status === 409 && recursive) {
      await this.#mkcol(names.slice(0, -1), true);
      answer = await davRequest(this.#shared.client, call);
    }
    if (answer.status === 201) return;
    if (answer.status === 405) return exists();
    throw davStatusError(answer, call, { 409: "NotFound" });
  }

  async #delete(names: readonly string[], collection: boolean, op: string, etag: string | undefined): Promise<void> {
    if (names.length === 0) throw new IoError("InvalidInput", `${op}: the root cannot be removed`, { op, backend: BACKEND });
    const call: DavCall = { method: "DELETE", url: urlOf(this.#shared.root, names, collection), op, headers: etag === undefined ? {} : { "if-match": etag } };
    const answer = await davRequest(this.#shared.client, call);
    if (answer.status === 200 || answer.status === 204) return;
    throw davStatusError(answer, call, { 412: "Stale" });
  }
}

/** A FileStat from PROPFIND's live properties: WebDAV carries no mode, inode or device (0). */
function statOf(resource: DavResource): FileStat {
  const modifiedMs = Number.isNaN(resource.modifiedMs) ? 0 : resource.modifiedMs;
  return {
    type: resource.isCollection ? "directory" : "file",
    size: resource.isCollection ? 0 : resource.size,
    mode: 0,
    modifiedMs,
    accessedMs: modifiedMs,
    createdMs: Number.isNaN(resource.createdMs) ? modifiedMs : resource.createdMs,
    inode: 0n,
    device: 0n,
  };
}

function unsupportedSync(op: string): IoError {
  return new IoError("Unsupported", `${op}: every WebDAV operation is a network request, which cannot block; use ${op.replace(/Sync$/, "")}()`, { op, backend: BACKEND });
}
