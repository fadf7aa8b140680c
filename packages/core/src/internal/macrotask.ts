/**
 * A callback for a later turn of the event loop, on any host: Node's `setImmediate` where it
 * exists (unref'd on request, so a pending sweep never keeps the process alive), else `setTimeout`.
 */
export function macrotask(callback: () => void, unref: boolean): void {
  const host = globalThis as { setImmediate?: (callback: () => void) => { unref?: () => void } };
  if (host.setImmediate === undefined) {
    setTimeout(callback, 0);
    return;
  }
  const handle = host.setImmediate(callback);
  if (unref) handle.unref?.();
}
