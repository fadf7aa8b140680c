/** UDP on the ring: `bind` makes a blocking-mode datagram socket (a direct call), served by RECVMSG/SENDMSG. */
import { IoError, type Udp, type UdpAddress } from "@pktio/core";
import { DatagramAddressSchema, fromSocketErrno, parseOptions } from "@pktio/core/backend";
import { decodeSockaddr, domainOf, encodeSockaddr, resolveHost, SOCK_DGRAM } from "./internal/sockaddr.js";
import { CLOSED, ringError, type UringBackend } from "./UringBackend.js";
import { UringUdpSocket } from "./UringUdpSocket.js";

export class UringUdp implements Udp {
  constructor(readonly backend: UringBackend) {}

  /** Binds `host:port` (port 0: the OS picks); kind AddrInUse if taken, InvalidInput for a bad address. */
  async bind(address: UdpAddress): Promise<UringUdpSocket> {
    // A SocketAddress (another socket's, a datagram's `from`) is a UdpAddress too: its family is the host's.
    const { host, port } = parseOptions(DatagramAddressSchema, address, "bind");
    const closed = (): IoError => new IoError("Closed", "bind: the uring runtime is closed", { op: "bind", backend: "uring" });
    if (this.backend.closed) throw closed();
    const ip = await resolveHost(host, "bind");
    // The runtime may have closed while the name was looked up.
    if (this.backend.closed) throw closed();
    const bound = new Uint8Array(128);
    const length = encodeSockaddr(ip, port, bound);
    const fd = this.backend.openSocket(domainOf(ip), SOCK_DGRAM, bound.subarray(0, length), 0);
    // node:dgram's form, as on libuv: `bind EADDRINUSE 127.0.0.1:8080`.
    if (fd < 0) throw fd === CLOSED ? ringError(fd, { op: "bind" }) : fromSocketErrno(fd, { op: "bind", backend: "uring", address: `${ip}:${port}` });
    const local = this.backend.socketName(fd, false, bound) > 0 ? decodeSockaddr(bound) : undefined;
    try {
      if (local === undefined) throw new IoError("Other", "bind: the socket has no address", { op: "bind", backend: "uring" });
      return new UringUdpSocket(this.backend, fd, local);
    } catch (error) {
      this.backend.closeFdNow(fd);
      throw error;
    }
  }
}
