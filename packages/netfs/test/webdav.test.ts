/** The shared HTTP scenarios against `webdav-server` (npm): GET with Range on its physical file system. */
import { describeHttpServer } from "./httpScenarios.js";
import { startWebDavServer } from "./servers/webdavServer.js";

describeHttpServer({ name: "webdav-server", start: startWebDavServer, unversioned: "webdav-server's GET and HEAD send no ETag nor Last-Modified" });
