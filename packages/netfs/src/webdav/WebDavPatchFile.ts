/**
 * A file written in place on a server that advertises sabre/dav's partial updates (OPTIONS
 * answers `Accept-Patch: application/x-sabredav-partialupdate`: Nextcloud, ownCloud, any
 * sabre/dav server, `pktio serve`). Each write view is one PATCH with `X-Update-Range:
 * bytes=START-END`, many in flight; each read view is one ranged GET, not pinned to a version
 * (the handle's own writes change it). Writes land when their PATCH answers, so `sync()` has
 * nothing left to send; `truncate` has no partial-update form (Unsupported).
 */
import { FileHandle, IoError, type AnyView, type BoundPacketView, type FileStat, type IoBackend, type PollingHandle, type Read, type Write } from "@pktio/core";
import { settleRead } from "@pktio/core/backend";
import { headerValue } from "../http/sendRequest.js";
import { BACKEND, davRequest, davStatusError, type DavClient } from "./davRequest.js";

/** The media type of a partial update (sabre/dav's name). */
export const PARTIAL_UPDATE = "application/x-sabredav-partialupdate";

/** Completions come from undici on the event loop: no blocking. */
class PatchBackend implements IoBackend {
  readonly name = BACKEND;
  pollingHandle(): PollingHandle | null {
    return null;
  }
  async close(): Promise<void> {}
}

/** What `WebDavFs.open` found and made for a file written in place. */
export interface PatchFileInit {
  readonly client: DavClient;
  readonly url: URL;
  readonly where: string;
  readonly readable: boolean;
  /** The file's stat, through PROPFIND. */
  readonly stat: () => Promise<FileStat>;
}

export class WebDavPatchFile extends FileHandle {
  readonly backend: IoBackend = new PatchBackend();
  readonly url: URL;
  readonly #client: DavClient;
  readonly #stat: () => Promise<FileStat>;
  /** Requests in flight; close waits for them. */
  readonly #inFlight = new Set<Promise<void>>();

  /** @internal Files come from `WebDavFs.open`. */
  constructor(init: PatchFileInit) {
    super(init.where, { readable: init.readable, writable: true });
    this.url = init.url;
    this.#client = init.client;
    this.#stat = init.stat;
  }

  protected submit(pos: number, view: AnyView): void {
    if (view.length === 0) return view.complete();
    const done = (view.perm.backendWrites ? this.#read(pos, view as BoundPacketView<Write>) : this.#write(pos, view as BoundPacketView<Read>)).catch((error: unknown) => {
      view.fail(IoError.is(error) ? error : new IoError("Other", String(error), { backend: BACKEND, path: this.path, cause: error }));
    });
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));
  }

  async #write(pos: number, view: BoundPacketView<Read>): Promise<void> {
    // undici sends the body after this call returns: plain ArrayBuffer bytes, which the caller
    // could detach (and the collector free) meanwhile, go out as a copy; shared ones as they are.
    const bytes = view.bytes();
    const call = { method: "PATCH", url: this.url, op: "write", body: view.packet.shared ? bytes : bytes.slice(), headers: { "content-type": PARTIAL_UPDATE, "x-update-range": `bytes=${pos}-${pos + view.length - 1}` } };
    const answer = await davRequest(this.#client, call);
    if (answer.status < 200 || answer.status > 299) throw davStatusError(answer, call, { 416: "InvalidInput" });
    view.complete();
  }

  async #read(pos: number, view: BoundPacketView<Write>): Promise<void> {
    const call = { method: "GET", url: this.url, op: "read", headers: { range: `bytes=${pos}-${pos + view.length - 1}` } };
    const answer = await davRequest(this.#client, call, true, view.length);
    if (answer.status === 416) return settleRead(view, pos, 0, { backend: BACKEND, path: this.path });
    if (answer.status !== 206) throw davStatusError(answer, call);
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headerValue(answer.headers, "content-range") ?? "");
    if (range === null || Number(range[1]) !== pos || Number(range[2]) - pos + 1 !== answer.bytes.length) {
      throw new IoError("InvalidData", `read ${this.path}: the answer's Content-Range does not match the ${answer.bytes.length} bytes asked at ${pos}`, { op: "read", backend: BACKEND, path: this.path });
    }
    view.bytes().set(answer.bytes);
    settleRead(view, pos, answer.bytes.length, { backend: BACKEND, path: this.path });
  }

  protected statFile(): Promise<FileStat> {
    return this.#stat();
  }
  protected statFileSync(): FileStat {
    throw unsupported("statSync", "a WebDAV stat is a network request, which cannot block");
  }
  /** Every write has landed once its view settled: nothing is held back. */
  protected async syncFile(): Promise<void> {
    await Promise.all(this.#inFlight);
  }
  protected syncFileSync(): void {
    throw unsupported("syncSync", "a WebDAV file's writes are network requests, which cannot be awaited synchronously");
  }
  protected truncateFile(): Promise<void> {
    return Promise.reject(unsupported("truncate", "a partial update cannot shorten a file; open it with truncate to rewrite it whole"));
  }
  protected truncateFileSync(): void {
    throw unsupported("truncateSync", "a partial update cannot shorten a file");
  }
  /** Waits for the requests in flight. */
  protected async closeFile(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }
  /** The requests in flight finish on their own; nothing is held. */
  protected closeFileSync(): void {}
}

function unsupported(op: string, reason: string): IoError {
  return new IoError("Unsupported", `${op}: ${reason}`, { op, backend: BACKEND });
}
