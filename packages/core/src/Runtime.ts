/** What `openRuntime()` returns: one backend's file system and network, and its lifecycle. */
import type { Fs } from "./fs/Fs.js";
import type { Tcp } from "./net/Tcp.js";
import type { Udp } from "./net/Udp.js";
import type { IoBackend } from "./PacketIo.js";

/** The backends pktio ships; @pktio/rt's `registerBackend` adds others under names of their own. */
export const BackendNames = ["uring", "libuv", "threaded"] as const;
export type BackendName = (typeof BackendNames)[number];

export interface Runtime {
  /** Which backend won the selection: a built-in name, or the name a third-party backend was registered under. */
  readonly backend: BackendName | (string & {});
  readonly io: IoBackend;
  readonly fs: Fs;
  readonly net: Tcp;
  /** UDP sockets (`udp.bind(address)`). */
  readonly udp: Udp;
  /** Settles or cancels everything in flight, then releases the backend. Idempotent. */
  close(): Promise<void>;
}
