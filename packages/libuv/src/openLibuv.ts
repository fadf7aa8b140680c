/** `openLibuv()`: a Runtime on Node's own fs, net and dgram. Always available where Node runs. */
import type { Runtime } from "@pktio/core";
import { LibuvBackend, type LibuvOptions } from "./LibuvBackend.js";
import { LibuvFs } from "./LibuvFs.js";
import { LibuvTcp } from "./LibuvTcp.js";
import { LibuvUdp } from "./LibuvUdp.js";

export interface LibuvRuntime extends Runtime {
  readonly backend: "libuv";
  readonly io: LibuvBackend;
  readonly fs: LibuvFs;
  readonly net: LibuvTcp;
  readonly udp: LibuvUdp;
}

/** Opens a libuv runtime; throws IoError kind InvalidInput for bad options. */
export function openLibuv(options?: LibuvOptions): LibuvRuntime {
  const backend = new LibuvBackend(options);
  return {
    backend: "libuv",
    io: backend,
    fs: new LibuvFs(backend),
    net: new LibuvTcp(backend),
    udp: new LibuvUdp(backend),
    close: () => backend.close(),
  };
}
