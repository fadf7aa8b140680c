/** `io()`: submit one packet to a target and await its result, with an optional output. */
import { notAPacket } from "./internal/notAPacket.js";
import { IoError } from "./IoError.js";
import { checkIoOptions, type IoOptions } from "./IoOptions.js";
import { bindTo } from "./internal/packetInternals.js";
import { refuseAborted } from "./internal/refuseAborted.js";
import { checkFunction } from "./internal/validate.js";
import { Packet } from "./Packet.js";
import type { PacketIo } from "./PacketIo.js";
import type { PacketOutput, PacketResult, PacketSegment } from "./PacketOutput.js";
import type { Perm } from "./Perm.js";

/** A callback per settled segment, or a full output such as a `SegmentStream`. */
export type IoOutput = ((segment: PacketSegment) => void) | PacketOutput;

/**
 * Binds `packet`, sends it to `target` at `param`, and resolves with its result when every piece
 * has settled. The promise never rejects for I/O errors: they are in `result.error`. It throws
 * synchronously for bad arguments and for a packet already in flight.
 */
export function io<P extends Perm, Param>(target: PacketIo<NoInfer<P>, Param>, param: Param, packet: Packet<P>, output?: IoOutput, options?: IoOptions): Promise<PacketResult> {
  checkTarget(target);
  if (!(packet instanceof Packet)) throw notAPacket(packet);
  // Bind outside the executor so that a busy packet throws here rather than rejecting.
  let resolve!: (result: PacketResult) => void;
  const done = new Promise<PacketResult>((settle) => (resolve = settle));
  sendOrFail(target, param, packet[bindTo](output === undefined ? resolve : combine(output, resolve), checkIoOptions(options, "io"), target.backend?.name));
  return done;
}

/** Like `io()` but without a promise: `onDone` is the only notification. The raw fast path. */
export function sendPacket<P extends Perm, Param>(target: PacketIo<NoInfer<P>, Param>, param: Param, packet: Packet<P>, output: PacketOutput, options?: IoOptions): void {
  const view = packet[bindTo](output, options === undefined ? undefined : checkIoOptions(options, "sendPacket"), options === undefined ? undefined : target.backend?.name);
  sendOrFail(target, param, view);
}

/** A target that throws from `sendIo` has broken its contract; the throw fails the view. */
function sendOrFail<P extends Perm, Param>(target: PacketIo<P, Param>, param: Param, view: ReturnType<Packet<P>["bind"]>): void {
  if (view.packet.signal !== undefined && refuseAborted(view, target.backend?.name)) return;
  try {
    target.sendIo(param, view);
  } catch (thrown) {
    if (view.settled) throw thrown;
    view.fail(thrown instanceof IoError ? thrown : new IoError("Other", `sendIo threw: ${String(thrown)}`, { op: "sendIo", cause: thrown }));
  }
}

export function checkTarget(target: unknown): void {
  if (typeof target !== "object" || target === null || typeof (target as { sendIo?: unknown }).sendIo !== "function") {
    throw new TypeError("target must implement PacketIo (a sendIo(param, view) method)");
  }
}

function combine(output: IoOutput | undefined, resolve: (result: PacketResult) => void): PacketOutput {
  if (output === undefined) return { onDone: resolve };
  if (typeof output === "function") {
    const onSegment = checkFunction<(segment: PacketSegment) => void>(output, "output");
    return { onSegment, onDone: resolve };
  }
  if (typeof output !== "object" || output === null || typeof output.onDone !== "function") {
    throw new TypeError("output must be a function or a PacketOutput (onDone, optional onSegment)");
  }
  return new ForwardingOutput(output, resolve);
}

/**
 * `io()` with a full output: forwards each segment, then onDone, and resolves the promise even if
 * the output's onDone throws. Methods, not closures (keepNames would name two per call, issue 15).
 */
class ForwardingOutput implements PacketOutput {
  constructor(
    readonly output: PacketOutput,
    readonly resolve: (result: PacketResult) => void,
  ) {}

  onSegment(segment: PacketSegment): void {
    this.output.onSegment?.(segment);
  }

  onDone(result: PacketResult): void {
    try {
      this.output.onDone(result);
    } finally {
      this.resolve(result);
    }
  }
}
