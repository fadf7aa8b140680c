/**
 * One request as the main thread keeps it from submission to settlement: the words its ring
 * entry is written from, the buffer the worker moves bytes to or from, and the owner told of the
 * outcome. Requests are plain fields on purpose: a 4 KiB read makes one, and the completion
 * loop reads them back without a closure per request.
 */
import type { AnyView, IoError } from "@pktio/core";
import type { MetaReply, MetaRequest } from "./messages.js";
import { BUFFER_NONE, type OpCode } from "./ringLayout.js";

/** Whoever submitted a request; told once, on the main thread, when it is settled. */
export interface RequestOwner {
  requestDone(request: Request): void;
}

export class Request {
  readonly op: OpCode;
  readonly fd: number;
  /** File offset; the new length for Truncate. */
  readonly position: number;
  /** Bytes to transfer; the exit code for the ExitForTest hook. */
  readonly length: number;
  /** The bytes a Read fills or a Write drains; a view over a SharedArrayBuffer goes zero-copy. */
  readonly bytes: Uint8Array | undefined;
  readonly meta: MetaRequest | undefined;
  readonly owner: RequestOwner;
  /** The packet view the request serves, when it serves one (file reads and writes). */
  readonly view: AnyView | undefined;
  /** Ring index this request must go to (test hooks), or -1 for the least loaded one. */
  readonly pinned: number;

  /**
   * A transfer on a FIFO or device: it may block its worker until data comes. Such requests go
   * to one ring (the last), which other requests then avoid (slots per path, design.md §8).
   */
  stream = false;
  /** Set at dispatch: the entry's BUFFER word and, for bounced requests, the arena slot lent. */
  bufferId = BUFFER_NONE;
  bounceSlot = -1;
  /** The shared buffer the worker touches (the user's, or the bounce chunk), set at dispatch. */
  shared: SharedArrayBuffer | undefined = undefined;
  /** Int32 index of its ring entry once dispatched, else -1 (waiting on the main thread). */
  entry = -1;
  /**
   * True once the owner was told. A request cancelled before a worker took it is settled at
   * once and its entry later passed over; nothing settles a request twice.
   */
  settled = false;
  /** True while a signal or deadline watches it (internal/Cancellations.ts). */
  watched = false;
  /** Set at completion: the entry's RESULT and ERRNO words, and the meta reply. */
  result = 0;
  errno = 0;
  reply: MetaReply | undefined = undefined;
  /** Set instead when the request never completed: its worker died under it, or the runtime closed. */
  lost: IoError | undefined = undefined;

  constructor(op: OpCode, fd: number, position: number, length: number, bytes: Uint8Array | undefined, meta: MetaRequest | undefined, owner: RequestOwner, view?: AnyView, pinned = -1) {
    this.op = op;
    this.fd = fd;
    this.position = position;
    this.length = length;
    this.bytes = bytes;
    this.meta = meta;
    this.owner = owner;
    this.view = view;
    this.pinned = pinned;
  }
}

/** An owner that remembers the outcome, for callers that await or block on one request. */
export class Completion implements RequestOwner {
  request: Request | undefined = undefined;
  #resolve: ((request: Request) => void) | undefined = undefined;

  requestDone(request: Request): void {
    this.request = request;
    this.#resolve?.(request);
  }

  get done(): boolean {
    return this.request !== undefined;
  }

  promise(): Promise<Request> {
    if (this.request !== undefined) return Promise.resolve(this.request);
    return new Promise((resolve) => (this.#resolve = resolve));
  }
}
