/**
 * @pktio/libuv: the pktio backend on Node's own fs and net — libuv's thread pool for files,
 * epoll for sockets. Always available; the fallback every runtime can reach.
 */
export { LibuvBackend, LibuvOptions, type Closable, type LibuvPathSlots } from "./LibuvBackend.js";
export { LibuvFile, MAX_SINGLE_IO } from "./LibuvFile.js";
export { LibuvDirHandle, LibuvFs, type Root } from "./LibuvFs.js";
export { openFlags } from "./internal/openFlags.js";
export { LibuvListener } from "./LibuvListener.js";
export { LibuvStream, STREAM_BUFFER_LIMIT } from "./LibuvStream.js";
export { LibuvTcp } from "./LibuvTcp.js";
export { LibuvUdp } from "./LibuvUdp.js";
export { LibuvUdpSocket, MAX_QUEUED_DATAGRAMS } from "./LibuvUdpSocket.js";
export { openLibuv, type LibuvRuntime } from "./openLibuv.js";
