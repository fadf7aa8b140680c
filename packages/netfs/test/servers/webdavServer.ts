/** `webdav-server` (npm) over a physical directory, on loopback: its GET serves Range. */
import { createServer } from "node:http";
import { v2 as webdav } from "webdav-server";
import { listen, type RunningServer } from "./sendServer.js";

/** Serves `root` through webdav-server's PhysicalFileSystem on 127.0.0.1 and a free port. */
export async function startWebDavServer(root: string): Promise<RunningServer> {
  const dav = new webdav.WebDAVServer({ rootFileSystem: new webdav.PhysicalFileSystem(root) });
  const server = createServer((request, response) => dav.executeRequest(request, response));
  return listen(server);
}
