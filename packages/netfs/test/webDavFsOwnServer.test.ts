/** openWebDavFs against our own server (`serveDirectory`, the engine of `pktio serve`), with a bearer token. */
import { openRuntime } from "@pktio/rt";
import { serveDirectory } from "../src/server/serveDirectory.js";
import { describeWebDavFs } from "./webDavFsScenarios.js";

describeWebDavFs("pktio serve", async (root) => {
  const runtime = await openRuntime();
  const token = "conformance-token";
  const server = await serveDirectory(root, { runtime, token });
  return {
    url: server.url,
    token,
    async close() {
      await server.close();
      await runtime.close();
    },
  };
}, { partialUpdates: true });
