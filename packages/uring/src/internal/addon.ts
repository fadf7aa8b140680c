/**
 * Loads the native addon and describes its functions. This machine's prebuild is used unless
 * PKTIO_URING_BUILD=Debug selects the debug + AddressSanitizer one (which needs libasan preloaded);
 * prebuild.ts picks the file.
 */
import { createRequire } from "node:module";
import { IoError } from "@pktio/core";
import { BUILDS, choosePrebuild, thisModulePath } from "./prebuild.js";

/** An opaque ring handle. */
export type RingHandle = object & { readonly __ring: unique symbol };

export interface Addon {
  readonly opcodes: Readonly<Record<"READ" | "WRITE" | "READ_FIXED" | "WRITE_FIXED" | "FSYNC" | "OPENAT" | "CLOSE" | "STATX" | "UNLINKAT" | "RENAMEAT" | "MKDIRAT" | "ASYNC_CANCEL" | "LINK_TIMEOUT" | "NOP" | "SEND" | "RECV" | "SENDMSG" | "RECVMSG" | "ACCEPT" | "CONNECT" | "SHUTDOWN", number>>;
  /** A ring, or a negative errno from io_uring_setup. */
  /** sqThreadCpu: the CPU an SQPOLL ring's kernel thread is pinned to, or -1. */
  open(entries: number, setupFlags: number, params: Float64Array, completions: Int32Array, onComplete: (count: number) => void, sqThreadCpu: number): RingHandle | number;
  setActive(ring: RingHandle, active: boolean): void;
  /**
   * Operations accepted (≤ count), or a negative errno; waits for `waitNr` completions in the same syscall.
   * `here`: with a submit thread, make the enter on this thread anyway. `readHere`: with a submit
   * thread that is behind, up to this many reads marked READ_HERE are served from the page cache on
   * this thread; their records come back with opcode SERVED_HERE and the result in the length field.
   */
  submit(ring: RingHandle, count: number, buffers: (Uint8Array | undefined)[], waitNr: number, here?: boolean, readHere?: number): number;
  /** Prepares an ASYNC_CANCEL of `userData`; the next submit (or a full queue) hands it to the kernel. */
  cancel(ring: RingHandle, userData: number): number;
  /** close(2) of an fd the ring opened, and forgets it (the addon closes the fds it still tracks at teardown). */
  closeFd(ring: RingHandle, fd: number): number;
  /** Completions written to the shared array, or a negative errno. */
  wait(ring: RingHandle, minComplete: number): number;
  pending(ring: RingHandle): number;
  /**
   * From now on a thread of the addon's own submits (spinning spinUs after its last enter), and a
   * wake-up for completions waits up to completionSpinUs for the thread's next ones: 0 or -errno.
   */
  startSubmitThread(ring: RingHandle, spinUs: number, completionSpinUs: number): number;
  /** True while the submit thread sleeps on its futex (false on rings without one). */
  submitThreadAsleep(ring: RingHandle): boolean;
  /** Test hook: while held, the submit thread takes no SQEs (a backlog without timing); 0, or -EINVAL without one. */
  holdSubmitter(ring: RingHandle, held: boolean): number;
  /** SQPOLL rings: true once the kernel's SQ thread sleeps (IORING_SQ_NEED_WAKEUP); false on other rings. */
  sqThreadAsleep(ring: RingHandle): boolean;
  probe(ring: RingHandle): Uint8Array | number;
  registerBuffers(ring: RingHandle, buffers: Uint8Array[]): number;
  alignOffset(bytes: Uint8Array, alignment: number): number;
  /**
   * Registers a bounce chunk (memory of the package's own, kept for the ring's life): its arena id,
   * or a negative errno. Operations on it then carry a locator instead of a buffer element.
   */
  registerArena(ring: RingHandle, chunk: Uint8Array): number;
  close(ring: RingHandle): void;
  /** A blocking pread (write false) or pwrite repeated until done, without the ring: bytes moved, or -errno. */
  transfer(fd: number, bytes: Uint8Array, pos: number, write: boolean): number;
  /** A blocking-mode socket, bound to `address` (a sockaddr) and listening when backlog > 0: fd or -errno. Tracked until its CLOSE. */
  socket(ring: RingHandle, domain: number, type: number, address: Uint8Array | null, backlog: number): number;
  /**
   * One non-blocking sendmsg (send true) or recvmsg of a socket the ring made (`length` bytes of
   * `bytes`; `nameLength` of a datagram's destination in `area`, 0 when connected), its msghdr
   * built in `area` as for SENDMSG/RECVMSG: bytes moved (a TCP send may take fewer than `length`),
   * or -errno (-EAGAIN: it would block; -EBADF: not a socket of this ring). Synchronous, so
   * `bytes` may be any memory.
   */
  socketNow(ring: RingHandle, fd: number, send: boolean, bytes: Uint8Array, length: number, area: Uint8Array, nameLength: number): number;
  /** getsockname (peer false) or getpeername into `out`: the address length, or -errno. */
  sockName(fd: number, peer: boolean, out: Uint8Array): number;
  /** TCP_NODELAY on an accepted socket: 0 or -errno. */
  noDelay(fd: number): number;
}

let loaded: Addon | IoError | undefined;

/** The addon, or the IoError (kind Unsupported) that says why it cannot be loaded. Cached. */
export function loadAddon(): Addon | IoError {
  if (loaded !== undefined) return loaded;
  const requested = process.env["PKTIO_URING_BUILD"] ?? "Release";
  if (!(BUILDS as readonly string[]).includes(requested)) {
    return (loaded = new IoError("InvalidInput", `PKTIO_URING_BUILD must be one of ${BUILDS.join(", ")}, got ${JSON.stringify(requested)}`, { backend: "uring", op: "load" }));
  }
  if (process.platform !== "linux") return (loaded = new IoError("Unsupported", `io_uring is Linux-only (this is ${process.platform})`, { backend: "uring", op: "load" }));
  const choice = choosePrebuild(requested as (typeof BUILDS)[number]);
  if ("missing" in choice) return (loaded = new IoError("Unsupported", choice.missing, { backend: "uring", op: "load" }));
  const path = choice.path;
  try {
    loaded = createRequire(thisModulePath())(path) as Addon;
  } catch (error) {
    loaded = new IoError("Unsupported", `the uring addon did not load: ${error instanceof Error ? error.message : String(error)}`, { backend: "uring", op: "load", cause: error });
  }
  return loaded;
}
