/**
 * TCP on libuv: `connect` and `listen` over node:net. Each socket becomes a LibuvStream and each
 * server a LibuvListener, both registered with the backend so that closing the runtime closes
 * them. An attempt still in progress is registered too: closing the runtime cancels it.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { IoError, type Tcp, type TcpAddress } from "@pktio/core";
import { checkTcpAddress, toSocketAddress } from "./internal/address.js";
import { libuvError } from "./internal/errors.js";
import type { LibuvBackend } from "./LibuvBackend.js";
import { LibuvListener } from "./LibuvListener.js";
import { LibuvStream } from "./LibuvStream.js";

export class LibuvTcp implements Tcp {
  constructor(readonly backend: LibuvBackend) {}

  /** Connects to `host:port`; kind Refused when nobody listens, InvalidInput for a bad address. */
  async connect(address: TcpAddress): Promise<LibuvStream> {
    const { host, port } = checkTcpAddress(address, "connect");
    this.#checkOpen("connect");
    // Half-open: the peer ending its side must not end ours (shutdown is the user's call).
    let socket: Socket;
    try {
      socket = createConnection({ host, port, allowHalfOpen: true });
    } catch (error) {
      throw libuvError(error, "connect");
    }
    return this.#attempt(socket, "connect", "connect", () => socket.destroy(), () => new LibuvStream(this.backend, socket));
  }

  /** Listens on `host:port` (port 0: the OS picks one, see `address`); kind AddrInUse if taken. */
  async listen(address: TcpAddress): Promise<LibuvListener> {
    const { host, port } = checkTcpAddress(address, "listen");
    this.#checkOpen("listen");
    const server = createServer({ allowHalfOpen: true });
    const adopt = (): LibuvListener => {
      const bound = server.address();
      const local = bound === null || typeof bound === "string" ? undefined : toSocketAddress(bound.address, bound.port, bound.family);
      if (local === undefined) throw new IoError("Other", "listen: the server has no TCP address", { op: "listen", backend: "libuv" });
      return new LibuvListener(this.backend, server, local);
    };
    const listening = this.#attempt(server, "listening", "listen", () => server.close(), adopt);
    try {
      server.listen({ host, port });
    } catch (error) {
      server.emit("error", error);
    }
    return listening;
  }

  #checkOpen(op: string): void {
    const backend = this.backend.name;
    if (this.backend.closed) throw new IoError("Closed", `${op}: the ${backend} runtime is closed`, { op, backend });
  }

  /**
   * Waits for `handle` to be ready and adopts it in the same callback, so that no Node event
   * can reach it without a listener. Errors reject mapped; closing the runtime cancels.
   */
  #attempt<T>(handle: Socket | Server, ready: "connect" | "listening", op: string, release: () => void, adopt: () => T): Promise<T> {
    // An abandoned handle keeps a no-op error listener: a late error must not crash the process.
    const cancel = (): void => {
      handle.on("error", () => undefined);
      release();
    };
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let untrack = (): void => undefined;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        handle.off(ready, onReady);
        handle.off("error", onError);
        untrack();
        return true;
      };
      const onReady = (): void => {
        if (!settle()) return;
        try {
          resolve(adopt());
        } catch (error) {
          cancel();
          reject(error);
        }
      };
      const onError = (error: Error): void => {
        if (!settle()) return;
        cancel();
        reject(libuvError(error, op));
      };
      handle.once(ready, onReady);
      handle.once("error", onError);
      try {
        untrack = this.backend.track({
          close: () => {
            if (settle()) {
              cancel();
              reject(new IoError("Closed", `${op}: the libuv runtime was closed`, { op, backend: "libuv" }));
            }
            return Promise.resolve();
          },
        });
      } catch (error) {
        settle();
        cancel();
        reject(error);
      }
    });
  }
}
