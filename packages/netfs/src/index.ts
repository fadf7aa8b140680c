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
export { serveDirectory, type DirectoryServer } from "./server/serveDirectory.js";
export { ServeOptions, type ResolvedServeOptions } from "./server/ServeOptions.js";
export { openWebDavFs } from "./webdav/openWebDavFs.js";
export { WebDavFs } from "./webdav/WebDavFs.js";
export { WebDavWriteFile } from "./webdav/WebDavWriteFile.js";
export { WebDavPatchFile } from "./webdav/WebDavPatchFile.js";
export { WebDavFsOptions, type ResolvedWebDavFsOptions } from "./webdav/WebDavFsOptions.js";
export { parseMultistatus, type DavResource } from "./webdav/parseMultistatus.js";
export { XmlError, type XmlElement, type XmlLimits } from "./webdav/parseXml.js";
