/**
 * A packet bound with a signal that had already fired is failed here, before any target sees
 * it: every send site checks, so a target that does not look at `view.packet.signal` (a
 * user's own PacketIo, a device that never answers) cannot leave such a call pending forever.
 */
import { abortError } from "../IoOptions.js";
import type { BoundPacketView } from "../BoundPacketView.js";
import type { Perm } from "../Perm.js";

/** True when `view` was failed (its signal had fired): the caller must not send it. */
export function refuseAborted(view: BoundPacketView<Perm>, backend: string | undefined): boolean {
  const signal = view.packet.signal;
  if (signal?.aborted !== true) return false;
  view.fail(abortError(signal, view.perm.backendWrites ? "read" : "write", backend));
  return true;
}
