/**
 * The pktio `Fs` contract over WebDAV (RFC 4918): stat and readDir are PROPFIND (Depth 0 and 1)
 * answers parsed strictly; files open for reading through `openHttpFile` (Range requests), for
 * writing as whole-file PUTs (`WebDavWriteFile`); mkdir is MKCOL, rename MOVE (Overwrite: T, as
 * POSIX rename replaces), removeFile and removeDir DELETE after a PROPFIND that checks the kind
 * of resource, copyFile COPY with a GET+PUT fallback. Writing into an existing file uses
 * sabre/dav's partial updates (PATCH) where the server advertises them (`WebDavPatchFile`). The same class is the directory handle
 * `openDir` returns: its paths are relative and never climb out of it (`davPaths.ts`).
 * The blocking twins run the same programs (`davPrograms.ts`) through a worker that makes the
 * request while the caller waits (`SyncRequester`); only `openSync` is Unsupported, since a
 * file's transfers cannot block.
 */
import { IoError, type DirEntry, type DirHandle, type FileHandle, type FileStat, type MkdirOptions, type OpenOptions, type RemoveDirOptions } from "@pktio/core";
import { dirOptions, resolveOpenOptions } from "@pktio/core/backend";
import type { HttpFileOptions } from "../http/HttpFileOptions.js";
import { openHttpFile } from "../http/openHttpFile.js";
import { redactUrl } from "../http/redactUrl.js";
import { headerValue } from "../http/sendRequest.js";
import { BACKEND, davRequest, davStatusError, type DavCall, type DavClient } from "./davRequest.js";
import { resolveNames, urlOf } from "./davPaths.js";
import { acceptsPartialUpdates, copyFile, members, mkcol, removeDir, removeFile, rename, resourceAt, resourceOrMissing, runDav, runDavSync, type DavProgram, type DavTarget, type Member } from "./davPrograms.js";
import type { DavResource } from "./parseMultistatus.js";
import type { SyncRequester } from "./SyncRequester.js";
import { PARTIAL_UPDATE, WebDavPatchFile } from "./WebDavPatchFile.js";
import { WebDavWriteFile } from "./WebDavWriteFile.js";

/** What the Fs and its directory handles share. */
export interface WebDavShared extends DavTarget {
  readonly client: DavClient;
  /** The blocking requester of the `*Sync` twins (its worker starts on first use). */
  readonly sync: SyncRequester;
  readonly fileOptions: Omit<HttpFileOptions, "headers" | "dispatcher">;
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
    return statOf(directoryIfSlashed(path, "stat", await this.#run(resourceAt(this.#shared, this.#names(path, "stat"), "stat"))));
  }
  statSync(path: string): FileStat {
    return statOf(directoryIfSlashed(path, "stat", this.#runSync(resourceAt(this.#shared, this.#names(path, "stat"), "stat"))));
  }

  async *readDir(path: string): AsyncIterable<DirEntry> {
    for (const entry of await this.#run(members(this.#shared, this.#names(path, "readDir"), "readDir"))) yield entryOf(entry);
  }
  readDirSync(path: string): DirEntry[] {
    return this.#runSync(members(this.#shared, this.#names(path, "readDir"), "readDir")).map(entryOf);
  }

  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    options = dirOptions(options, "mkdir");
    await this.#run(mkcol(this.#shared, this.#names(path, "mkdir"), options.recursive === true));
  }
  mkdirSync(path: string, options: MkdirOptions = {}): void {
    options = dirOptions(options, "mkdirSync");
    this.#runSync(mkcol(this.#shared, this.#names(path, "mkdir"), options.recursive === true));
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#run(rename(this.#shared, this.#names(from, "rename"), this.#names(to, "rename"), from));
  }
  renameSync(from: string, to: string): void {
    this.#runSync(rename(this.#shared, this.#names(from, "rename"), this.#names(to, "rename"), from));
  }

  async removeFile(path: string): Promise<void> {
    await this.#run(removeFile(this.#shared, this.#names(path, "removeFile"), path));
  }
  removeFileSync(path: string): void {
    this.#runSync(removeFile(this.#shared, this.#names(path, "removeFile"), path));
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<void> {
    options = dirOptions(options, "removeDir");
    await this.#run(removeDir(this.#shared, this.#names(path, "removeDir"), path, options.recursive === true));
  }
  removeDirSync(path: string, options: RemoveDirOptions = {}): void {
    options = dirOptions(options, "removeDirSync");
    this.#runSync(removeDir(this.#shared, this.#names(path, "removeDir"), path, options.recursive === true));
  }

  async copyFile(from: string, to: string): Promise<void> {
    await this.#run(copyFile(this.#shared, this.#names(from, "copyFile"), this.#names(to, "copyFile"), from));
  }
  copyFileSync(from: string, to: string): void {
    this.#runSync(copyFile(this.#shared, this.#names(from, "copyFile"), this.#names(to, "copyFile"), from));
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const resolved = resolveOpenOptions(options);
    const names = this.#names(path, "open");
    const url = urlOf(this.#shared.root, names);
    const writes = resolved.write || resolved.append;
    if (!writes) {
      const resource = directoryIfSlashed(path, "open", await this.#run(resourceAt(this.#shared, names, "open")));
      if (resource.isCollection) throw new IoError("IsADirectory", `open: ${JSON.stringify(path)} is a directory`, { op: "open", backend: BACKEND, path });
      // The PROPFIND already gave the version: the file skips its HEAD and holds its ranges to it.
      const version = { size: resource.size, ...(resource.etag !== undefined && /^(W\/)?"[^"\r\n]*"$/.test(resource.etag) ? { etag: resource.etag } : {}), ...(Number.isNaN(resource.modifiedMs) ? {} : { lastModified: new Date(resource.modifiedMs).toUTCString() }) };
      return openHttpFile(url, { ...this.#shared.fileOptions, version, headers: this.#shared.client.headers, dispatcher: this.#shared.client.dispatcher });
    }
    if (resolved.mode !== undefined) throw new IoError("Unsupported", "open: WebDAV has no permission bits (a PUT cannot set them); open without mode", { op: "open", backend: BACKEND, path });
    if (resolved.append) throw new IoError("Unsupported", "open: WebDAV has no append (a PUT replaces the whole file); open with write and truncate, or createNew", { op: "open", backend: BACKEND, path });
    const existing = await this.#run(resourceOrMissing(this.#shared, names, "open"));
    if (existing?.isCollection === true || names.length === 0 || /\/\.?$/.test(path)) throw new IoError("IsADirectory", `open: ${JSON.stringify(path)} is a directory`, { op: "open", backend: BACKEND, path });
    if (existing !== undefined && resolved.createNew) throw new IoError("AlreadyExists", `open: ${JSON.stringify(path)} already exists`, { op: "open", backend: BACKEND, path });
    if (existing === undefined && !resolved.create && !resolved.createNew) throw new IoError("NotFound", `open: ${JSON.stringify(path)} does not exist`, { op: "open", backend: BACKEND, path });
    if (existing !== undefined && !resolved.truncate && existing.size > 0) {
      // Writing into the file as it is: only where the server takes partial updates.
      if (await this.#run(acceptsPartialUpdates(url, PARTIAL_UPDATE))) {
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

  /** Files are network transfers (reads through openHttpFile cannot block): Unsupported. */
  openSync(_path: string, _options?: OpenOptions): FileHandle {
    throw new IoError("Unsupported", "openSync: a WebDAV file's transfers are network requests that cannot block; use open()", { op: "openSync", backend: BACKEND });
  }

  async openDir(path: string): Promise<DirHandle> {
    const names = this.#names(path, "openDir");
    return this.#handleFor(names, path, await this.#run(resourceAt(this.#shared, names, "openDir")));
  }
  openDirSync(path: string): DirHandle {
    const names = this.#names(path, "openDir");
    return this.#handleFor(names, path, this.#runSync(resourceAt(this.#shared, names, "openDir")));
  }

  /** A directory handle forgets itself; the Fs also closes the agent it made and the blocking worker. Later calls fail with kind Closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#isHandle) await this.#shared.release();
  }
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#isHandle) void this.#shared.release();
  }

  #handleFor(names: string[], path: string, resource: DavResource): DirHandle {
    if (!resource.isCollection) throw new IoError("NotADirectory", `openDir: ${JSON.stringify(path)} is not a directory`, { op: "openDir", backend: BACKEND, path });
    return new WebDavFs(this.#shared, names, true);
  }

  #names(path: string, op: string): string[] {
    if (this.#closed) throw new IoError("Closed", `${op}: the WebDAV ${this.#isHandle ? "directory handle" : "file system"} is closed`, { op, backend: BACKEND });
    return resolveNames(this.#base, path, op, this.#isHandle);
  }

  #run<T>(program: DavProgram<T>): Promise<T> {
    return runDav(this.#shared.client, program);
  }
  #runSync<T>(program: DavProgram<T>): T {
    return runDavSync(this.#shared.client, this.#shared.sync, program);
  }
}

function entryOf(member: Member): DirEntry {
  return { name: member.name, type: member.resource.isCollection ? "directory" : "file" };
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

/**
 * A path that ends with "/" (or "/.") names a directory, as for open(2) and stat(2) of `a.txt/`
 * (ENOTDIR): the resource, or NotADirectory when it is a file.
 */
function directoryIfSlashed<R extends { readonly isCollection: boolean }>(path: string, op: string, resource: R): R {
  if (resource.isCollection || !/\/\.?$/.test(path)) return resource;
  throw new IoError("NotADirectory", `ENOTDIR: not a directory, ${op} '${path}'`, { op, backend: BACKEND, path, code: "ENOTDIR" });
}
