/**
 * A file opened for writing on a WebDAV server. WebDAV (RFC 4918) writes whole resources with
 * PUT and has no standard partial write, so the handle holds the file's bytes in memory (up to
 * `maxWriteBytes`) and sends them whole at `sync()` and `close()`. Reads and writes of the handle
 * work on those bytes, at once. Each PUT after the first carries `If-Match` with the ETag the
 * previous one returned (when the server gives one), so a file changed by someone else in
 * between fails with kind Stale instead of being overwritten unseen.
 */
import { FileHandle, IoError, type AnyView, type BoundPacketView, type FileStat, type IoBackend, type PollingHandle, type Read, type Write } from "@pktio/core";
import { settleRead } from "@pktio/core/backend";
import { headerValue } from "../http/sendRequest.js";
import { BACKEND, davRequest, davStatusError, type DavClient } from "./davRequest.js";

/** The backend of a buffered WebDAV file: every transfer completes inside `submit`, so blocking is trivially possible. */
class BufferedBackend implements IoBackend {
  readonly name = BACKEND;
  pollingHandle(): PollingHandle | null {
    return null;
  }
  /** Transfers complete during `sendIo`: by the time a sync helper blocks, its packet is done. */
  blockOn(isDone: () => boolean): void {
    if (!isDone()) throw new IoError("Unsupported", "a WebDAV file's pending upload cannot be awaited synchronously", { backend: BACKEND });
  }
  async close(): Promise<void> {}
}

/** What `WebDavFs.open` found and made for a writable file. */
export interface WriteFileInit {
  readonly client: DavClient;
  readonly url: URL;
  /** The name in messages (the URL without its query). */
  readonly where: string;
  readonly readable: boolean;
  readonly maxBytes: number;
  /** The ETag of the (empty) version the open created, if the server sent one. */
  readonly etag: string | undefined;
}

export class WebDavWriteFile extends FileHandle {
  readonly backend: IoBackend = new BufferedBackend();
  readonly url: URL;
  readonly #client: DavClient;
  readonly #maxBytes: number;
  #bytes = new Uint8Array(0);
  #length = 0;
  #dirty = false;
  #etag: string | undefined;
  #modifiedMs = Date.now();

  /** @internal Files come from `WebDavFs.open`. */
  constructor(init: WriteFileInit) {
    super(init.where, { readable: init.readable, writable: true });
    this.url = init.url;
    this.#client = init.client;
    this.#maxBytes = init.maxBytes;
    this.#etag = init.etag;
  }

  protected submit(pos: number, view: AnyView): void {
    if (view.perm.backendWrites) {
      const read = view as BoundPacketView<Write>;
      const count = Math.max(0, Math.min(read.length, this.#length - pos));
      if (count > 0) read.bytes().set(this.#bytes.subarray(pos, pos + count));
      return settleRead(read, pos, count, { backend: BACKEND, path: this.path });
    }
    const write = view as BoundPacketView<Read>;
    const end = pos + write.length;
    if (end > this.#maxBytes) {
      return write.fail(new IoError("FileTooLarge", `write: ${this.path} would grow past maxWriteBytes (${this.#maxBytes}), the most a WebDAV file holds before its PUT`, { op: "write", backend: BACKEND, path: this.path }));
    }
    this.#reserve(end);
    this.#bytes.set(write.bytes(), pos);
    this.#length = Math.max(this.#length, end);
    this.#touch();
    write.complete();
  }

  /** Grows the buffer to hold `length` bytes (doubling, so appends cost O(1) each). */
  #reserve(length: number): void {
    if (length <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.min(this.#maxBytes, Math.max(length, this.#bytes.length * 2, 64 * 1024)));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  #touch(): void {
    this.#dirty = true;
    this.#modifiedMs = Date.now();
  }

  protected async statFile(): Promise<FileStat> {
    return this.statFileSync();
  }

  /** The handle's own bytes (what the next PUT sends). */
  protected statFileSync(): FileStat {
    return { type: "file", size: this.#length, mode: 0, modifiedMs: this.#modifiedMs, accessedMs: this.#modifiedMs, createdMs: this.#modifiedMs, inode: 0n, device: 0n };
  }

  /** Sends the whole file (PUT) if it changed since the last one. */
  protected async syncFile(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    // A copy: the caller may write again while the PUT is on the wire.
    const body = this.#bytes.slice(0, this.#length);
    const call = { method: "PUT", url: this.url, op: "sync", body, headers: { "content-type": "application/octet-stream", ...(this.#etag === undefined ? {} : { "if-match": this.#etag }) } };
    const answer = await davRequest(this.#client, call).catch((error: unknown) => {
      this.#dirty = true;
      throw error;
    });
    if (answer.status === 412) {
      this.#dirty = true;
      throw new IoError("Stale", `sync ${this.path}: the file changed on the server since this handle wrote it (If-Match ${this.#etag} failed)`, { op: "sync", backend: BACKEND, path: this.path });
    }
    if (answer.status < 200 || answer.status > 299) {
      this.#dirty = true;
      throw davStatusError(answer, call, { 409: "NotFound" });
    }
    this.#etag = headerValue(answer.headers, "etag");
  }

  protected syncFileSync(): void {
    if (this.#dirty) throw unsupportedSync("syncSync");
  }

  protected async truncateFile(length: number): Promise<void> {
    this.truncateFileSync(length);
  }

  /** Cuts or zero-extends the handle's bytes (sent at the next sync or close). */
  protected truncateFileSync(length: number): void {
    if (length > this.#maxBytes) throw new IoError("FileTooLarge", `truncate: ${this.path} would grow past maxWriteBytes (${this.#maxBytes})`, { op: "truncate", backend: BACKEND, path: this.path });
    this.#reserve(length);
    if (length > this.#length) this.#bytes.fill(0, this.#length, length);
    this.#length = length;
    this.#touch();
  }

  /** Uploads what changed, then drops the bytes. */
  protected async closeFile(): Promise<void> {
    try {
      await this.syncFile();
    } finally {
      this.#bytes = new Uint8Array(0);
    }
  }

  /** A close that cannot wait for the network: refused when there is something to upload (nothing is sent; the data is dropped). */
  protected closeFileSync(): void {
    const dirty = this.#dirty;
    this.#bytes = new Uint8Array(0);
    if (dirty) throw unsupportedSync("closeSync");
  }
}

function unsupportedSync(op: string): IoError {
  return new IoError("Unsupported", `${op}: a WebDAV file is uploaded with a PUT, which cannot block; use the async method (${op.replace(/Sync$/, "")}())`, { op, backend: BACKEND });
}
