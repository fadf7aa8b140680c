/**
 * openWebDavFs against our own server (`serveDirectory`, the engine of `pktio serve`), with a
 * bearer token, in a child process (the blocking twins wait on this thread).
 */
import { startChildServer } from "./servers/childServer.js";
import { describeWebDavFs } from "./webDavFsScenarios.js";

describeWebDavFs(
  "pktio serve",
  async (root) => {
    const token = "conformance-token";
    const server = await startChildServer("davServerMain.ts", ["pktio", root, token]);
    return { url: server.url, token, close: () => server.close() };
  },
  { partialUpdates: true },
);
