/**
 * The signals and deadlines of submitted requests (`packet.signal`, `packet.timeoutMs`). One
 * listener per signal and one timer per packet, however many pieces share them (a 1 GiB read is
 * 8192 bounced pieces; one listener per piece would also trip Node's MaxListenersExceededWarning).
 * When one fires, every piece it watches is offered to `cancel`, which cancels what no worker
 * has taken yet; a piece already inside a worker's call completes as usual (core's deadline
 * settles the caller's promise meanwhile, and `packet.inFlight` stays true until then).
 */
import { IoError, type Packet } from "@pktio/core";
import { abortError } from "@pktio/core/backend";
import { BACKEND } from "./errors.js";
import type { Request } from "./Request.js";
import { Op } from "./ringLayout.js";

type Cancel = (request: Request, error: IoError) => void;

interface Watch {
  readonly requests: Set<Request>;
  readonly stop: () => void;
}

export class Cancellations {
  readonly #bySignal = new Map<AbortSignal, Watch>();
  readonly #byPacket = new Map<Packet<never>, Watch>();
  readonly #cancel: Cancel;

  constructor(cancel: Cancel) {
    this.#cancel = cancel;
  }

  /** Starts watching a just-submitted transfer if its packet has a signal or a deadline. */
  watch(request: Request): void {
    const packet = request.view?.packet as Packet<never> | undefined;
    if (packet === undefined) return;
    const signal = packet.signal;
    const timeoutMs = packet.timeoutMs;
    if (signal === undefined && timeoutMs === undefined) return;
    const op = request.op === Op.Read ? "read" : "write";
    request.watched = true;
    if (signal !== undefined) {
      let watch = this.#bySignal.get(signal);
      if (watch === undefined) {
        const onAbort = (): void => this.#fire(this.#bySignal.get(signal), () => abortError(signal, op, BACKEND));
        signal.addEventListener("abort", onAbort, { once: true });
        watch = { requests: new Set(), stop: () => signal.removeEventListener("abort", onAbort) };
        this.#bySignal.set(signal, watch);
      }
      watch.requests.add(request);
    }
    if (timeoutMs !== undefined) {
      let watch = this.#byPacket.get(packet);
      if (watch === undefined) {
        // The deadline runs from the first piece's submission; later pieces of the packet share it.
        const timer = setTimeout(() => this.#fire(this.#byPacket.get(packet), () => new IoError("TimedOut", `${op} did not complete within ${timeoutMs} ms`, { op, backend: BACKEND })), timeoutMs);
        // Whatever is outstanding keeps the process alive through the referenced workers.
        timer.unref();
        watch = { requests: new Set(), stop: () => clearTimeout(timer) };
        this.#byPacket.set(packet, watch);
      }
      watch.requests.add(request);
    }
  }

  /** Stops watching a settled request; drops a listener or timer nobody needs any more. */
  unwatch(request: Request): void {
    if (!request.watched) return;
    request.watched = false;
    const packet = request.view?.packet as Packet<never>;
    const signal = packet.signal;
    if (signal !== undefined) this.#drop(this.#bySignal, signal, request);
    this.#drop(this.#byPacket, packet, request);
  }

  #drop<K>(map: Map<K, Watch>, key: K, request: Request): void {
    const watch = map.get(key);
    if (watch === undefined || !watch.requests.delete(request) || watch.requests.size > 0) return;
    watch.stop();
    map.delete(key);
  }

  #fire(watch: Watch | undefined, error: () => IoError): void {
    if (watch === undefined) return;
    const reason = error();
    // A copy: cancelling settles, and settling unwatches.
    for (const request of [...watch.requests]) this.#cancel(request, reason);
  }
}
