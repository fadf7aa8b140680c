/**
 * The flaky WebDAV server (flakyDav.ts) in a process of its own, for the blocking twins' retry
 * test (they wait on the calling thread, so the server must not share it); its root is a
 * collection. Prints the base URL on one line; ends on SIGTERM.
 */
import { createServer } from "node:http";
import { serveFlaky } from "./flakyDav.js";

const hits = new Map<string, number>();
const root = `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`;
const server = createServer((req, res) => {
  if (serveFlaky(hits, req, res)) return;
  req.resume();
  if (req.method === "PROPFIND" && new URL(req.url ?? "/", "http://x").pathname === "/") res.writeHead(207, { "content-type": "application/xml" }).end(root);
  else res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`http://127.0.0.1:${address.port}/`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
