/** Node's `send` (the Range engine of express.static / serve-static) behind a bare http server on loopback. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import send from "send";

/** A running test server: its base URL (ends with `/`) and how to stop it. */
export interface RunningServer {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Serves `root` with send on 127.0.0.1 and a free port. */
export async function startSendServer(root: string): Promise<RunningServer> {
  const server = createServer((request, response) => {
    send(request, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname), { root }).pipe(response);
  });
  return listen(server);
}

/** Listens on a free loopback port; `close` also ends idle keep-alive connections. */
export async function listen(server: Server): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
