/**
 * Opens a path without letting a FIFO block a thread (design.md §7, "A FIFO never holds a
 * thread"): open(2) of a FIFO read-only waits for a writer, write-only for a reader, and on
 * libuv's pool or in a worker that wait held the thread for good: a process whose runtime was
 * closed with such an open pending never exited. A FIFO (one stat first) is opened O_NONBLOCK
 * instead. Read-only that succeeds at once, and the pipe that serves the fd (`PipeChannel`, in
 * non-blocking mode anyway) waits in the event loop: the kernel holds back end-of-stream until a
 * writer has come and gone. Write-only it fails ENXIO while no reader exists, so it is tried
 * again after a short wait (1 ms, doubling to 50 ms), in the event loop, until a reader comes or
 * `stopped()` (the runtime closed) ends it with kind Closed. Read-write never blocks on Linux.
 */
import { IoError } from "../IoError.js";
import { nodeBuiltin } from "../internal/nodeBuiltin.js";

const FIRST_RETRY_MS = 1;
const LAST_RETRY_MS = 50;

/**
 * `open(flags)` for `path`, with O_NONBLOCK added when `path` is a FIFO opened for one direction;
 * a write-only FIFO without a reader is tried again until one comes. `open` rejects with the
 * backend's IoError (its `code` the errno's name); `backend` names it in the Closed error.
 */
export async function openFifoWithoutBlocking(path: string, flags: number, open: (flags: number) => Promise<number>, stopped: () => boolean, backend: string): Promise<number> {
  const { constants, promises } = nodeBuiltin("node:fs");
  // O_ACCMODE, which fs.constants lacks: the two bits O_RDONLY, O_WRONLY and O_RDWR take.
  const access = flags & (constants.O_RDONLY | constants.O_WRONLY | constants.O_RDWR);
  if (access === constants.O_RDWR) return open(flags);
  let fifo = false;
  try {
    fifo = (await promises.stat(path)).isFIFO();
  } catch {
    // Missing, or not ours to see: the open itself says what is wrong.
  }
  if (!fifo) return open(flags);
  const nonBlocking = flags | constants.O_NONBLOCK;
  if (access === constants.O_RDONLY) return open(nonBlocking);
  return openOnceReaderComes(() => open(nonBlocking), stopped, path, backend);
}

/**
 * `open()` again while it fails ENXIO (a write-only open of a FIFO without a reader that does not
 * wait: O_NONBLOCK, or io_uring's OPENAT), after 1 ms doubling to 50 ms, in the event loop, until
 * a reader comes or `stopped()` (the runtime closed) ends it with kind Closed.
 */
export async function openOnceReaderComes(open: () => Promise<number>, stopped: () => boolean, path: string, backend: string): Promise<number> {
  for (let wait = FIRST_RETRY_MS; ; wait = Math.min(wait * 2, LAST_RETRY_MS)) {
    try {
      return await open();
    } catch (error) {
      if (!IoError.is(error) || error.code !== "ENXIO") throw error;
    }
    // No reader yet, as open(2) would wait for: wait in the event loop, not on a thread.
    await new Promise((resolve) => setTimeout(resolve, wait));
    if (stopped()) throw new IoError("Closed", `open: ${JSON.stringify(path)}: the ${backend} runtime was closed while the FIFO waited for a reader`, { op: "open", backend, path });
  }
}

/**
 * copyFile's source must not be a FIFO: copying one opens it and reads until its writer's end, on
 * a pool thread or in a worker that would be held for as long (the same hang as its open).
 * Kind Unsupported with the reason; a missing source is left for the copy itself to report.
 */
export async function refuseFifoSource(path: string, backend: string): Promise<void> {
  let fifo = false;
  try {
    fifo = (await nodeBuiltin("node:fs").promises.stat(path)).isFIFO();
  } catch {
    return;
  }
  if (fifo) {
    throw new IoError("Unsupported", `copyFile: ${JSON.stringify(path)} is a FIFO; copyFile copies files (open it and read its stream instead)`, { op: "copyFile", backend, path });
  }
}
