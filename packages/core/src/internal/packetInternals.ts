/** Symbols through which views update their packet; not part of the public API. */
export const settleSegment: unique symbol = Symbol("pktio.settleSegment");
export const addSegment: unique symbol = Symbol("pktio.addSegment");
export const viewToken: unique symbol = Symbol("pktio.viewToken");
/** `Packet.bind` that also takes a bare onDone function (for `io()`). */
export const bindTo: unique symbol = Symbol("pktio.bindTo");

/** Re-raises an error thrown by user code outside the backend's stack. */
export function reportLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
