/**
 * @pktio/uring: the pktio backend on io_uring, through a C Node-API addon on raw syscalls.
 * Submissions and completions are batched; `*Sync` helpers block in io_uring_enter.
 */
export { openUring, probe, type ProbeResult, type UringRuntime } from "./openUring.js";
export { RegisteredPool } from "./RegisteredPool.js";
export { UringBackend, type Abortable, type Completion, type Operation, type UringPathSlots } from "./UringBackend.js";
export { DIRECT_ALIGNMENT, MAX_SINGLE_IO, UringFile } from "./UringFile.js";
export { UringDirHandle, UringFs } from "./UringFs.js";
export { UringOptions } from "./UringOptions.js";
export { UringListener } from "./UringListener.js";
export { STREAM_PIECE, UringStream } from "./UringStream.js";
export { NetAddress, UringTcp } from "./UringTcp.js";
export { UringUdp } from "./UringUdp.js";
export { UringUdpSocket } from "./UringUdpSocket.js";
