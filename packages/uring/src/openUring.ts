/**
 * `openUring()` and `probe()`: a Runtime on io_uring, or a typed Unsupported error saying why
 * io_uring cannot work here (no addon, PKTIO_URING=0, io_uring_setup refused: EPERM, ENOSYS,
 * ENOMEM), so that `openRuntime` falls back instead of crashing.
 */
import { IoError, type Runtime, type Tcp, type Udp } from "@pktio/core";
import { LibuvBackend, LibuvTcp, LibuvUdp } from "@pktio/libuv";
import { loadAddon } from "./internal/addon.js";
import { UringBackend } from "./UringBackend.js";
import { UringFs } from "./UringFs.js";
import { UringTcp } from "./UringTcp.js";
import { UringUdp } from "./UringUdp.js";
import type { UringOptions } from "./UringOptions.js";

export interface UringRuntime extends Runtime {
  readonly backend: "uring";
  readonly io: UringBackend;
  readonly fs: UringFs;
}

export type ProbeResult = { readonly ok: true; readonly opcodes: readonly string[] } | { readonly ok: false; readonly reason: string };

let probed: ProbeResult | undefined;

/** Whether io_uring works here, and which of the opcodes pktio uses the kernel has. Checked once. */
export function probe(): ProbeResult {
  if (probed !== undefined) return probed;
  try {
    const backend = openBackend();
    const opcodes = Object.entries(backend.opcodes)
      .filter(([, code]) => backend.has(code))
      .map(([name]) => name);
    void backend.close();
    probed = { ok: true, opcodes };
  } catch (error) {
    probed = { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  return probed;
}

function openBackend(options?: UringOptions): UringBackend {
  // Set but empty is unset (as PKTIO_BACKENDS reads it): `PKTIO_URING= cmd` clears it.
  const switchValue = process.env["PKTIO_URING"]?.trim() || undefined;
  if (switchValue !== undefined && switchValue !== "0" && switchValue !== "1") {
    throw new IoError("InvalidInput", `PKTIO_URING must be 0 or 1, got ${JSON.stringify(switchValue)}`, { op: "openUring", backend: "uring" });
  }
  if (switchValue === "0") throw new IoError("Unsupported", "io_uring is disabled by PKTIO_URING=0", { op: "openUring", backend: "uring" });
  const addon = loadAddon();
  if (addon instanceof IoError) throw addon;
  return new UringBackend(addon, options);
}

/**
 * Opens a uring runtime. TCP and UDP are on the ring where the kernel has the socket opcodes
 * (SEND, RECV, SENDMSG, RECVMSG, ACCEPT, CONNECT, SHUTDOWN), else libuv's. `parts.net` and
 * `parts.udp` replace them.
 */
export function openUring(options?: UringOptions, parts: { net?: Tcp; udp?: Udp } = {}): UringRuntime {
  const uring = openBackend(options);
  const libuv = new LibuvBackend();
  return {
    backend: "uring",
    io: uring,
    fs: new UringFs(uring, libuv),
    net: parts.net ?? (hasSocketOps(uring) ? new UringTcp(uring) : new LibuvTcp(libuv)),
    udp: parts.udp ?? (hasSocketOps(uring) && uring.has(uring.opcodes.SENDMSG) && uring.has(uring.opcodes.RECVMSG) ? new UringUdp(uring) : new LibuvUdp(libuv)),
    close: async () => {
      await uring.close();
      await libuv.close();
    },
  };
}

/** The opcodes the ring's TCP needs; without any of them, sockets stay libuv's. */
function hasSocketOps(uring: UringBackend): boolean {
  const { SEND, RECV, ACCEPT, CONNECT, SHUTDOWN, CLOSE } = uring.opcodes;
  return [SEND, RECV, ACCEPT, CONNECT, SHUTDOWN, CLOSE].every((opcode) => uring.has(opcode));
}
