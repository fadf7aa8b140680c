/**
 * A WebDAV server in a process of its own, for the openWebDavFs tests: its blocking twins wait
 * on the calling thread, so the server must not share it. KIND is `pktio` (serveDirectory on
 * openRuntime(), with TOKEN if given) or `webdav-server`. Prints the base URL on one line; ends on SIGTERM.
 * Usage: node --import tsx --conditions=pktio-source davServerMain.ts KIND DIR [TOKEN]
 */
import { openRuntime } from "@pktio/rt";
import { serveDirectory } from "../../src/server/serveDirectory.js";
import { startWebDavServer } from "./webdavServer.js";

const [kind, root, token] = process.argv.slice(2);
if (root === undefined || (kind !== "pktio" && kind !== "webdav-server")) {
  console.error("usage: davServerMain.ts pktio|webdav-server DIR [TOKEN]");
  process.exit(2);
}
let close: () => Promise<void>;
if (kind === "pktio") {
  const runtime = await openRuntime();
  const server = await serveDirectory(root, { runtime, ...(token === undefined ? {} : { token }) });
  console.log(server.url);
  close = async () => {
    await server.close();
    await runtime.close();
  };
} else {
  const server = await startWebDavServer(root);
  console.log(server.baseUrl);
  close = () => server.close();
}
process.once("SIGTERM", () => void close().then(() => process.exit(0)));
