/**
 * A read-only pktio file whose views become HTTP Range requests. Views sent in one tick (and
 * those that wait while `connections` requests are out) are planned together: near ones share a
 * request, long ones are split, and each completes as soon as its bytes arrive. Everything else
 * (readAt, readExactAt, cursors, streams, typed numbers) comes from core's FileHandle.
 */
import { FileHandle, IoError, type AnyView, type BoundPacketView, type FileStat, type IoBackend, type PollingHandle, type Write } from "@pktio/core";
import { abortError } from "@pktio/core/backend";
import type { Dispatcher } from "undici";
import type { ResolvedHttpFileOptions } from "./HttpFileOptions.js";
import { planRanges } from "./planRanges.js";
import { RangeRequest, settlePart, type HttpFileStats, type Part, type RangeSource } from "./RangeRequest.js";
import type { RemoteVersion } from "./RemoteVersion.js";

/** The IoBackend of one remote file: completions come from undici on the event loop; no sync driving. */
export class HttpBackend implements IoBackend {
  readonly name = "http";
  readonly #file: HttpFile;

  constructor(file: HttpFile) {
    this.#file = file;
  }

  pollingHandle(): PollingHandle | null {
    return null;
  }

  /** Closes the file: everything in flight settles Closed. */
  close(): Promise<void> {
    return this.#file.close();
  }
}

/** What `openHttpFile` found and made; the file owns `dispatcher` when `ownsDispatcher`. */
export interface HttpFileInit {
  readonly url: URL;
  /** Where the open's redirects led: ranges go there first. */
  readonly resolved: URL;
  readonly where: string;
  readonly version: RemoteVersion;
  readonly options: ResolvedHttpFileOptions;
  readonly dispatcher: Dispatcher;
  readonly ownsDispatcher: boolean;
  readonly userHeaders: Record<string, string>;
}

/**
 * A remote file opened by `openHttpFile`: read-only (writes and truncate fail PermissionDenied),
 * its size and version fixed at open, every helper of core's FileHandle on top of Range requests.
 */
export class HttpFile extends FileHandle {
  readonly backend: HttpBackend;
  /** The URL the file was opened with. */
  readonly url: URL;
  /** Length in bytes, from the open; fixed for the file's life (a change is kind Stale). `size()`/`sizeSync()` answer it without a request. */
  readonly #size: number;
  /** The ETag and Last-Modified captured at open, when the server sent them. */
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  /** What went over the wire so far. */
  readonly stats: HttpFileStats = { requests: 0, bytesReceived: 0, retries: 0, ignoredRange: 0 };
  readonly #source: RangeSource;
  readonly #ownsDispatcher: boolean;
  readonly #options: ResolvedHttpFileOptions;
  #waiting: Part[] = [];
  /** Requests in flight, each with the promise of its end. */
  readonly #active = new Map<RangeRequest, Promise<void>>();
  #flushQueued = false;
  #seq = 0;

  /** Files come from `openHttpFile`. @internal */
  constructor(init: HttpFileInit) {
    super(init.where, { readable: true, writable: false });
    this.backend = new HttpBackend(this);
    this.url = init.url;
    this.#size = init.version.size;
    this.etag = init.version.etag;
    this.lastModified = init.version.lastModified;
    this.#options = init.options;
    this.#ownsDispatcher = init.ownsDispatcher;
    this.#source = { url: init.url, location: { current: init.resolved }, where: init.where, version: init.version, options: init.options, dispatcher: init.dispatcher, userHeaders: init.userHeaders, stats: this.stats };
  }

  /**
   * Where ranges are sent: the URL the redirects of the open (or of the last request) led to, so
   * a redirected URL costs its redirect once, not once per range.
   */
  get location(): URL {
    return this.#source.location.current;
  }

  /** Views waiting for a request slot, and requests in flight (for tests and benchmarks). */
  get pending(): { waiting: number; requests: number } {
    return { waiting: this.#waiting.length, requests: this.#active.size };
  }

  /** Resolves once no request of this file is in flight (every view settled, every body done). */
  async whenIdle(): Promise<void> {
    while (this.#active.size > 0) await Promise.all(this.#active.values());
  }

  protected submit(pos: number, anyView: AnyView): void {
    // The base class let only reads through: the file is not writable.
    let view = anyView as BoundPacketView<Write>;
    if (view.length === 0) return view.complete();
    if (pos >= this.#size) {
      return view.fail(new IoError("UnexpectedEof", `read at ${pos} is past the end of ${this.path} (${this.#size} bytes)`, { op: "read", backend: "http", path: this.path }));
    }
    if (pos + view.length > this.#size) {
      const [head, tail] = view.splitAt(this.#size - pos);
      tail.fail(new IoError("UnexpectedEof", `read reaches past the end of ${this.path} at ${this.#size}`, { op: "read", backend: "http", path: this.path }));
      view = head;
    }
    const max = this.#options.maxRequestBytes;
    while (view.length > max) {
      const [head, tail] = view.splitAt(max);
      this.#enqueue(pos, head);
      pos += max;
      view = tail;
    }
    this.#enqueue(pos, view);
  }

  #enqueue(pos: number, view: BoundPacketView<Write>): void {
    const part: Part = { pos, length: view.length, seq: this.#seq++, view, bytes: view.bytes(), filled: 0, settled: false, request: undefined, unlisten: undefined };
    const signal = view.packet.signal;
    if (signal !== undefined) {
      const onAbort = (): void => settlePart(part, abortError(signal, "read", "http"), true);
      signal.addEventListener("abort", onAbort, { once: true });
      part.unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    this.#waiting.push(part);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      // Every view of this tick is planned at once, so near ones can share a request.
      queueMicrotask(() => this.#flush());
    }
  }

  /** Starts as many planned requests as there are free slots; the rest wait, to be planned again. */
  #flush(): void {
    this.#flushQueued = false;
    if (this.closed) return;
    const waiting = this.#waiting.filter((part) => !part.settled);
    this.#waiting = [];
    const free = this.#options.connections - this.#active.size;
    if (waiting.length === 0) return;
    if (free <= 0) {
      this.#waiting = waiting;
      return;
    }
    // A gap of -Infinity merges nothing: coalescing off. A server that ignored Range sends the
    // file from its start whatever is asked, so then every waiting view shares one pass.
    const onePass = this.stats.ignoredRange > 0;
    const gap = onePass ? Infinity : this.#options.coalesce ? this.#options.coalesceGap : -Infinity;
    const planned = planRanges(waiting, gap, onePass ? Infinity : this.#options.maxRequestBytes);
    planned.forEach((range, index) => {
      if (index >= free) {
        this.#waiting.push(...range.parts);
        return;
      }
      const request = new RangeRequest(this.#source, range.parts);
      const done = request.run().finally(() => {
        this.#active.delete(request);
        if (this.#waiting.length > 0 && !this.#flushQueued) this.#flush();
      });
      this.#active.set(request, done);
    });
  }

  protected async statFile(): Promise<FileStat> {
    return this.statFileSync();
  }

  /** Known since the open: no request. */
  protected statFileSync(): FileStat {
    const modifiedMs = this.lastModified === undefined ? 0 : Date.parse(this.lastModified) || 0;
    return { type: "file", size: this.#size, mode: 0o444, modifiedMs, accessedMs: modifiedMs, createdMs: modifiedMs, inode: 0n, device: 0n };
  }

  /** Nothing to flush: the file is read-only. */
  protected async syncFile(): Promise<void> {}
  protected syncFileSync(): void {}

  protected async truncateFile(): Promise<void> {
    this.truncateFileSync();
  }
  protected truncateFileSync(): void {
    throw new IoError("PermissionDenied", `truncate: ${this.path} is a read-only HTTP file`, { op: "truncate", backend: "http", path: this.path });
  }

  /** Answers every view in flight Closed, stops their requests, and closes the agent if it is the file's own. */
  protected async closeFile(): Promise<void> {
    // Each request ends soon after its parts are settled: its undici request is aborted.
    await Promise.all(this.#settleAllClosed());
    if (this.#ownsDispatcher) await this.#source.dispatcher.destroy().catch(() => undefined);
  }

  protected closeFileSync(): void {
    this.#settleAllClosed();
    if (this.#ownsDispatcher) void this.#source.dispatcher.destroy().catch(() => undefined);
  }

  /** Settles every waiting and active view Closed; returns the ends of the requests in flight. */
  #settleAllClosed(): Promise<void>[] {
    const error = this.closedError("read");
    for (const part of this.#waiting) settlePart(part, error, true);
    this.#waiting = [];
    for (const request of this.#active.keys()) request.failAll(error);
    return [...this.#active.values()];
  }
}
