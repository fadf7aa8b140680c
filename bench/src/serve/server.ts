/**
 * The server side of bench:serve, in its own process so that client and server each have a
 * thread: `pktio` (serveDirectory on the named backend), `webdav-server` (npm) or `send` (Node's
 * serve-static engine) over DIR on a free loopback port. Prints one line: the base URL.
 * Usage: tsx server.ts KIND DIR   (KIND: pktio-uring | pktio-libuv | pktio-threaded | webdav-server | send)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BackendName } from "@pktio/core";
import { serveDirectory } from "@pktio/netfs";
import { openRuntime } from "@pktio/rt";
import send from "send";
import { v2 as webdav } from "webdav-server";

const [kind, root] = process.argv.slice(2);
if (kind === undefined || root === undefined) {
  console.error("usage: server.ts KIND DIR");
  process.exit(2);
}

if (kind.startsWith("pktio-")) {
  const runtime = await openRuntime({ backends: [kind.slice("pktio-".length) as BackendName] });
  const server = await serveDirectory(root, { runtime });
  console.log(server.url);
} else {
  const dav = kind === "webdav-server" ? new webdav.WebDAVServer({ rootFileSystem: new webdav.PhysicalFileSystem(root) }) : undefined;
  const server = createServer((request, response) => {
    if (dav !== undefined) return dav.executeRequest(request, response);
    send(request, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname), { root }).pipe(response);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
}
// The parent ends the bench by closing stdin.
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
