/**
 * Colorless I/O: a helper is written once as a generator that yields packet requests and
 * receives their results; `runIo` drives it on the event loop, `runIoSync` on the calling thread
 * through the backend's `blockOn`. Every read/write helper in core is built this way, and library
 * authors can write their own the same way.
 */
import { checkTarget, sendPacket } from "./io.js";
import { IoError } from "./IoError.js";
import { checkIoOptions, type IoOptions } from "./IoOptions.js";
import { Packet } from "./Packet.js";
import type { PacketIo } from "./PacketIo.js";
import type { PacketResult } from "./PacketOutput.js";
import type { Perm } from "./Perm.js";

/** One packet to send: what a program yields. */
export interface IoRequest {
  readonly target: PacketIo<never, never>;
  readonly param: unknown;
  readonly packet: Packet<Perm>;
  readonly options?: IoOptions | undefined;
}

/** A program yields requests, receives each one's result, and returns its value. */
export type IoProgram<T> = Generator<IoRequest, T, PacketResult>;

/** Builds a request with its types checked; `yield request(...)` inside a program. */
export function request<P extends Perm, Param>(target: PacketIo<NoInfer<P>, Param>, param: Param, packet: Packet<P>, options?: IoOptions): IoRequest {
  return { target: target as unknown as PacketIo<never, never>, param, packet: packet as unknown as Packet<Perm>, options };
}

/**
 * Runs a program asynchronously. Each request is sent with `sendPacket` and the program resumes
 * in the completion's own callback: one promise per program, not one per request.
 */
export function runIo<T>(program: IoProgram<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const advance = (result: PacketResult | undefined): void => {
      let step: IteratorResult<IoRequest, T>;
      try {
        step = result === undefined ? program.next() : program.next(result);
        if (step.done === true) return resolve(step.value);
        const { target, param, packet, options } = step.value;
        sendPacket(target as PacketIo<Perm, unknown>, param, packet, output, options);
      } catch (error) {
        reject(error);
      }
    };
    const output = { onDone: advance };
    advance(undefined);
  });
}

/** Runs a program to completion on this thread. Throws kind Unsupported if a target's backend cannot block. */
export function runIoSync<T>(program: IoProgram<T>): T {
  let step = program.next();
  while (step.done !== true) {
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
  if (!(packet instanceof Packet)) throw new TypeError("packet must be a Packet (Packet.alloc or Packet.wrap)");
  let result: PacketResult | undefined;
  const view = packet.bind({ onDone: (done) => (result = done) }, checkIoOptions(options, "ioSync"));
  const submit = (): void => {
    try {
      target.sendIo(param, view);
    } catch (thrown) {
      if (!view.settled) view.fail(thrown);
    }
  };
  if (canSubmitSync) backend.submitSync!(submit);
  else submit();
  if (result === undefined && canBlock) backend.blockOn!(() => result !== undefined);
  if (result === undefined) throw new IoError("Other", `backend "${backend.name}" returned before the packet settled`, { op: "ioSync", backend: backend.name });
  return result;
}
