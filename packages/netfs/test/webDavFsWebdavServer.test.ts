/** openWebDavFs against `webdav-server` (npm), a third-party WebDAV server over a physical directory. */
import { startWebDavServer } from "./servers/webdavServer.js";
import { describeWebDavFs } from "./webDavFsScenarios.js";

describeWebDavFs("webdav-server", async (root) => {
  const server = await startWebDavServer(root);
  return { url: server.baseUrl, close: () => server.close() };
});
