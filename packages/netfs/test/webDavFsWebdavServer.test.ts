/** openWebDavFs against `webdav-server` (npm), a third-party WebDAV server over a physical directory, in a child process. */
import { startChildServer } from "./servers/childServer.js";
import { describeWebDavFs } from "./webDavFsScenarios.js";

describeWebDavFs("webdav-server", async (root) => startChildServer("davServerMain.ts", ["webdav-server", root]));
