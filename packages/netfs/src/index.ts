/**
 * @pktio/netfs: pktio files over the network, on the protocols servers already speak. The HTTP
 * part: `openHttpFile(url)` gives a read-only pktio file whose views become Range requests
 * through undici (coalesced, split, retried, validated against the version opened).
 *
 * @packageDocumentation
 */
export { openHttpFile } from "./http/openHttpFile.js";
export { HttpBackend, HttpFile } from "./http/HttpFile.js";
export { HttpFileOptions, type ResolvedHttpFileOptions } from "./http/HttpFileOptions.js";
export type { HttpFileStats } from "./http/RangeRequest.js";
export { kindOfStatus } from "./http/httpErrors.js";
