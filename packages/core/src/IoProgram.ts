/**
 * Colorless I/O: a helper is written once as a generator that yields packet requests and
 * receives their results; `runIo` drives it on the event loop, `runIoSync` on the calling thread
 * through the backend's `blockOn`. Every read/write helper in core is built this way, and library
 * authors can write their own the same way. A program may also yield a join of several requests
 * (`joinIo`, `joinPrograms`), which the runners keep in flight together.
 */
import { notAPacket } from "./internal/notAPacket.js";
import { checkTarget, sendPacket } from "./io.js";
import { IoError } from "./IoError.js";
import { checkIoOptions, type IoOptions } from "./IoOptions.js";
import { bindTo } from "./internal/packetInternals.js";
import { refuseAborted } from "./internal/refuseAborted.js";
import { Packet } from "./Packet.js";
import type { PacketIo } from "./PacketIo.js";
import type { BoundPacketView } from "./BoundPacketView.js";
import type { PacketOutput, PacketResult } from "./PacketOutput.js";
import type { Perm } from "./Perm.js";
import { sendBatch, sendBatchSync } from "./internal/sendBatch.js";

/** One packet to send: what a program yields. */
export interface IoRequest {
  readonly target: PacketIo<never, never>;
  readonly param: unknown;
  readonly packet: Packet<Perm>;
  readonly options?: IoOptions | undefined;
}

/**
 * Several requests sent at once (mfio's join over packets): the runner puts every one in flight
 * before waiting for any, and resumes the program with all their results, in request order, once
 * the last has settled. Build it with `joinIo` or `joinPrograms` rather than directly.
 */
export class IoJoin {
  readonly requests: readonly IoRequest[];
  constructor(requests: readonly IoRequest[]) {
    if (!Array.isArray(requests)) throw new TypeError("requests must be an array of IoRequest");
    this.requests = requests;
  }
}

/** What a program yields: one request, or a join of several. */
export type IoStep = IoRequest | IoJoin;

/**
 * A program yields steps, receives each one's result, and returns its value. A yielded
 * `IoRequest` is answered with its `PacketResult`; a yielded `IoJoin` (through `yield* joinIo(…)`)
 * with the array of its results, which `joinIo` hands back typed.
 */
export type IoProgram<T> = Generator<IoStep, T, PacketResult>;

/** Builds a request with its types checked; `yield request(...)` inside a program. */
export function request<P extends Perm, Param>(target: PacketIo<NoInfer<P>, Param>, param: Param, packet: Packet<P>, options?: IoOptions): IoRequest {
  return { target: target as unknown as PacketIo<never, never>, param, packet: packet as unknown as Packet<Perm>, options };
}

/**
 * Runs a program asynchronously. Each request is sent with `sendPacket` and the program resumes
 * in the completion's own callback: one promise per program, not one per request. A join puts
 * all its requests in flight at once and resumes when the last one settles.
 */
export function runIo<T>(program: IoProgram<T>): Promise<T> {
  let run!: ProgramRun<T>;
  const done = new Promise<T>((resolve, reject) => (run = new ProgramRun(program, resolve, reject)));
  run.advance(undefined);
  return done;
}

/**
 * One `runIo`: the program and its promise's ends, and the output of each request it sends. A
 * class, not closures: the bundle's `keepNames` wraps every named closure in `__name()`, whose
 * `defineProperty` cost each run a property dictionary (issue 15); methods are named once.
 */
class ProgramRun<T> implements PacketOutput {
  constructor(
    readonly program: IoProgram<T>,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  onDone(result: PacketResult): void {
    this.advance(result);
  }

  /** Resumes the program with the last step's result and sends its next step, or settles the promise. */
  advance(result: PacketResult | PacketResult[] | undefined): void {
    let step: IteratorResult<IoStep, T>;
    try {
      step = result === undefined ? this.program.next() : this.program.next(result as PacketResult);
      if (step.done === true) return this.resolve(step.value);
      if (step.value instanceof IoJoin) return sendBatch(step.value.requests, (results) => this.advance(results));
      const { target, param, packet, options } = step.value;
      sendPacket(target as PacketIo<Perm, unknown>, param, packet, this, options);
    } catch (error) {
      this.reject(error);
    }
  }
}

/**
 * Runs a program to completion on this thread. Throws kind Unsupported if a target's backend
 * cannot block. A join's requests are all submitted before the thread blocks for any of them.
 */
export function runIoSync<T>(program: IoProgram<T>): T {
  let step = program.next();
  while (step.done !== true) {
    if (step.value instanceof IoJoin) {
      step = program.next(sendBatchSync(step.value.requests) as unknown as PacketResult);
      continue;
    }
    const { target, param, packet, options } = step.value;
    step = program.next(ioSync(target as PacketIo<Perm, unknown>, param, packet, options));
  }
  return step.value;
}

/** Sends one packet and blocks until it settles, driving the target's backend. */
export function ioSync<P extends Perm, Param>(target: PacketIo<NoInfer<P>, Param>, param: Param, packet: Packet<P>, options?: IoOptions): PacketResult {
  checkTarget(target);
  const backend = target.backend;
  const canBlock = backend !== undefined && typeof backend.blockOn === "function";
  const canSubmitSync = backend !== undefined && typeof backend.submitSync === "function";
  if (backend === undefined || (!canBlock && !canSubmitSync)) {
    throw new IoError("Unsupported", `synchronous I/O needs a backend that can block; ${backend === undefined ? "this target has none" : `backend "${backend.name}" cannot`}`, {
      op: "ioSync",
      ...(backend === undefined ? {} : { backend: backend.name }),
    });
  }
  if (!(packet instanceof Packet)) throw notAPacket(packet);
  const request = new SyncRequest(target as PacketIo<Perm, unknown>, param);
  request.view = packet[bindTo](request, checkIoOptions(options, "ioSync"), backend.name);
  if (canSubmitSync) backend.submitSync!(() => request.send());
  else request.send();
  if (request.result === undefined && canBlock) {
    try {
      backend.blockOn!(() => request.result !== undefined);
    } catch (thrown) {
      // WouldBlock or Busy: the backend says nothing in flight can settle the packet. The caller
      // is answered with the throw, and the view is settled with it too, so a backend that
      // still queues it (a stream's pending read) skips it and never writes into the caller's
      // buffer after the caller was told it failed. Any other throw (a failed io_uring_enter)
      // leaves the view to the completion that will still come.
      if (!request.view.settled && (IoError.is(thrown, "WouldBlock") || IoError.is(thrown, "Busy"))) request.view.fail(thrown);
      throw thrown;
    }
  }
  if (request.result === undefined) throw new IoError("Other", `backend "${backend.name}" returned before the packet settled`, { op: "ioSync", backend: backend.name });
  return request.result;
}

/** One `ioSync`: its packet's output (keeps the result) and its send, as methods (see ProgramRun). */
class SyncRequest implements PacketOutput {
  result: PacketResult | undefined = undefined;
  view!: BoundPacketView<Perm>;
  constructor(
    readonly target: PacketIo<Perm, unknown>,
    readonly param: unknown,
  ) {}

  onDone(result: PacketResult): void {
    this.result = result;
  }

  /** A target that throws from `sendIo` has broken its contract; the throw fails the view. */
  send(): void {
    if (this.view.packet.signal !== undefined && refuseAborted(this.view, this.target.backend?.name)) return;
    try {
      this.target.sendIo(this.param, this.view);
    } catch (thrown) {
      if (!this.view.settled) this.view.fail(thrown);
    }
  }
}
