/**
 * Sending several requests at once, for the runners of joined programs: every packet is bound
 * before any is sent (a packet that cannot be bound fails the ones already bound, which never
 * reach a target), then all are sent, and the results come back in request order.
 */
import { notAPacket } from "./notAPacket.js";
import { checkTarget } from "../io.js";
import { IoError } from "../IoError.js";
import { checkIoOptions } from "../IoOptions.js";
import { Packet } from "../Packet.js";
import { bindTo } from "./packetInternals.js";
import { refuseAborted } from "./refuseAborted.js";
import type { IoBackend, PacketIo } from "../PacketIo.js";
import type { PacketOutput, PacketResult } from "../PacketOutput.js";
import type { Perm } from "../Perm.js";
import type { BoundPacketView } from "../BoundPacketView.js";
import type { IoRequest } from "../IoProgram.js";

interface Bound {
  readonly index: number;
  readonly target: PacketIo<Perm, unknown>;
  readonly param: unknown;
  readonly view: BoundPacketView<Perm>;
}

/**
 * Binds each request's packet with an output that stores its result at its index and calls
 * `onSettled` once every packet has settled. Throws (with nothing sent) when a request is
 * malformed or a packet cannot be bound.
 */
function bindAll(requests: readonly IoRequest[], op: string, results: PacketResult[], onSettled: () => void): Bound[] {
  for (const request of requests) {
    checkTarget(request.target);
    if (!(request.packet instanceof Packet)) throw notAPacket(request.packet);
  }
  const join = new JoinCount(results, requests.length, onSettled);
  const bound: Bound[] = [];
  try {
    for (let index = 0; index < requests.length; index++) {
      const { target, param, packet, options } = requests[index] as IoRequest;
      const view = packet[bindTo](new JoinSlot(join, index), options === undefined ? undefined : checkIoOptions(options, op), target.backend?.name);
      bound.push({ index, target: target as PacketIo<Perm, unknown>, param, view });
    }
  } catch (error) {
    // Nothing was sent: the bound packets are released (their results are never delivered).
    for (const { view } of bound) view.fail(new IoError("Other", `${op}: not sent, another request of the join could not be bound`, { op }));
    throw error;
  }
  return bound;
}

/** The results of one join and how many are still missing. */
class JoinCount {
  constructor(
    readonly results: PacketResult[],
    public remaining: number,
    readonly onSettled: () => void,
  ) {}
}

/**
 * The output of one request of a join: stores its result at its index. A class, not an object
 * of closures: the bundle's `keepNames` would name one closure per request (issue 15).
 */
class JoinSlot implements PacketOutput {
  constructor(
    readonly join: JoinCount,
    readonly index: number,
  ) {}

  onDone(result: PacketResult): void {
    const join = this.join;
    join.results[this.index] = result;
    if (--join.remaining === 0) join.onSettled();
  }
}

/** A target that throws from `sendIo` has broken its contract; the throw fails its view. */
function sendOne({ target, param, view }: Bound): void {
  if (view.packet.signal !== undefined && refuseAborted(view, target.backend?.name)) return;
  try {
    target.sendIo(param, view);
  } catch (thrown) {
    if (!view.settled) view.fail(thrown instanceof IoError ? thrown : new IoError("Other", `sendIo threw: ${String(thrown)}`, { op: "sendIo", cause: thrown }));
  }
}

/** Sends every request at once; `onDone` receives all results, in request order, when the last settles. */
export function sendBatch(requests: readonly IoRequest[], onDone: (results: PacketResult[]) => void): void {
  const results: PacketResult[] = new Array<PacketResult>(requests.length);
  if (requests.length === 0) return onDone(results);
  const bound = bindAll(requests, "runIo", results, () => onDone(results));
  for (const each of bound) sendOne(each);
}

/**
 * Sends every request at once and blocks until all have settled: each backend's share is
 * submitted together (through `submitSync` where the backend has it), then each backend is driven
 * with `blockOn` until its share has settled, so a backend serves its requests concurrently.
 */
export function sendBatchSync(requests: readonly IoRequest[]): PacketResult[] {
  const results: PacketResult[] = new Array<PacketResult>(requests.length);
  if (requests.length === 0) return results;
  const groups = new Map<IoBackend, Bound[]>();
  for (const request of requests) {
    checkTarget(request.target);
    const backend = request.target.backend;
    if (backend === undefined || (typeof backend.blockOn !== "function" && typeof backend.submitSync !== "function")) {
      throw new IoError("Unsupported", `synchronous I/O needs a backend that can block; ${backend === undefined ? "a target of the join has none" : `backend "${backend.name}" cannot`}`, {
        op: "runIoSync",
        ...(backend === undefined ? {} : { backend: backend.name }),
      });
    }
  }
  let settled = false;
  const bound = bindAll(requests, "runIoSync", results, () => (settled = true));
  for (const each of bound) {
    const backend = each.target.backend as IoBackend;
    const group = groups.get(backend);
    if (group === undefined) groups.set(backend, [each]);
    else group.push(each);
  }
  for (const [backend, group] of groups) {
    const submit = (): void => group.forEach(sendOne);
    if (typeof backend.submitSync === "function") backend.submitSync(submit);
    else submit();
  }
  for (const [backend, group] of groups) {
    if (typeof backend.blockOn === "function") backend.blockOn(() => settled || group.every(({ index }) => results[index] !== undefined));
  }
  if (!settled) throw new IoError("Other", "a backend returned before every packet of the join settled", { op: "runIoSync" });
  return results;
}
