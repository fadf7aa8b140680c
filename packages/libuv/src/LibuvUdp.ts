/**
 * UDP on libuv: `bind` over node:dgram (udp4 or udp6 by the host's family). Each bound socket
 * becomes a LibuvUdpSocket registered with the backend, so closing the runtime closes it.
 */
import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { IoError, type Udp, type UdpAddress } from "@pktio/core";
import { checkUdpAddress, toSocketAddress } from "./internal/address.js";
import { libuvError } from "./internal/errors.js";
import type { LibuvBackend } from "./LibuvBackend.js";
import { LibuvUdpSocket } from "./LibuvUdpSocket.js";

export class LibuvUdp implements Udp {
  constructor(readonly backend: LibuvBackend) {}

  /** Binds `host:port` (port 0: the OS picks); kind AddrInUse if taken, InvalidInput for a bad address. */
  async bind(address: UdpAddress): Promise<LibuvUdpSocket> {
    // A SocketAddress (another socket's, a datagram's `from`) is a UdpAddress too: its family is the host's.
    const { host, port } = checkUdpAddress(address, "bind");
    if (this.backend.closed) throw new IoError("Closed", `bind: the ${this.backend.name} runtime is closed`, { op: "bind", backend: this.backend.name });
    const socket = createSocket({ type: isIPv6(host) ? "udp6" : "udp4" });
    return new Promise<LibuvUdpSocket>((resolve, reject) => {
      const onError = (error: Error): void => {
        socket.off("listening", onListening);
        socket.close();
        reject(libuvError(error, "bind"));
      };
      const onListening = (): void => {
        socket.off("error", onError);
        const bound = socket.address();
        try {
          resolve(new LibuvUdpSocket(this.backend, socket, toSocketAddress(bound.address, bound.port, bound.family) as NonNullable<ReturnType<typeof toSocketAddress>>));
        } catch (error) {
          socket.close();
          reject(error);
        }
      };
      socket.once("error", onError);
      socket.once("listening", onListening);
      socket.bind({ port, address: host });
    });
  }
}
