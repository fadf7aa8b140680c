/**
 * The guard behind "a dropped view fails its piece instead of hanging", paid per batch of views
 * rather than per view: FinalizationRegistry registration and unregistration cost about 0.4 µs a
 * view, more than an in-memory I/O, and with thousands of views in flight every one of them was
 * still live when a per-view registration had to be made.
 *
 * Views made in one macrotask (at most BATCH_LIMIT of them) share one `Batch`, registered once.
 * Each live view holds its batch strongly; a settled or split view lets go of it. The batch's
 * `Ledger` (the registry's held value, which never references the batch) lists the pieces of the
 * batch as (packet, start, end) triples, cleared as they settle. So the batch becomes unreachable
 * exactly when none of its live views is reachable, and then every piece still listed belongs to a
 * view that was dropped unsettled: the finalizer fails it with kind Aborted.
 *
 * The cost of the coarser grain: a dropped view fails once the other live views of its batch are
 * settled or dropped too, not at the first collection after it was dropped. It still never hangs.
 */
import { IoError } from "../IoError.js";
import type { Packet } from "../Packet.js";
import type { Perm } from "../Perm.js";
import { macrotask } from "./macrotask.js";
import { settleSegment } from "./packetInternals.js";

/** Views per batch: bounds the ledger a single long-lived view can keep alive. */
const BATCH_LIMIT = 4096;

/** The pieces of one batch, three slots each: packet (undefined once settled), start, end. */
interface Ledger {
  readonly entries: (Packet<Perm> | number | undefined)[];
}

/** The registration target: reachable only through the live views of its batch (and `current` until it closes). */
export interface Batch {
  readonly ledger: Ledger;
}

const dropped = new FinalizationRegistry<Ledger>(({ entries }) => {
  for (let i = 0; i < entries.length; i += 3) {
    const packet = entries[i] as Packet<Perm> | undefined;
    if (packet === undefined) continue;
    const start = entries[i + 1] as number;
    const end = entries[i + 2] as number;
    const error = new IoError("Aborted", `view [${start}, ${end}) was garbage-collected unsettled: its target dropped it`, { op: "sendIo" });
    packet[settleSegment](start, end, error);
  }
});

let current: Batch | undefined;
let closeScheduled = false;

function closeBatch(): void {
  closeScheduled = false;
  current = undefined;
}

/**
 * Lists a new view's piece in the open batch (opening one if needed) and returns the batch; the
 * view keeps it and its slot (`batch.ledger.entries.length - 3` at the time of the call) until it
 * is spent, then calls `release`.
 */
export function enlist(packet: Packet<Perm>, start: number, end: number): Batch {
  let batch = current;
  if (batch === undefined || batch.ledger.entries.length >= 3 * BATCH_LIMIT) {
    batch = current = { ledger: { entries: [] } };
    dropped.register(batch, batch.ledger);
    if (!closeScheduled) {
      closeScheduled = true;
      macrotask(closeBatch, true);
    }
  }
  batch.ledger.entries.push(packet, start, end);
  return batch;
}

/** A view was settled or split: its piece is no longer the finalizer's to fail. */
export function release(batch: Batch, slot: number): void {
  batch.ledger.entries[slot] = undefined;
}
