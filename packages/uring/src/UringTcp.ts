/**
 * TCP on the ring: `connect` is a blocking-mode socket and a CONNECT; `listen` a socket bound
 * and listening (calls that never block, made directly) whose connections come by ACCEPT.
 * Addresses are checked as libuv's are; host names are resolved with node:dns.
 */
import { IoError, type Tcp, type TcpAddress } from "@pktio/core";
import { fromSocketErrno, NetAddressSchema, parseOptions } from "@pktio/core/backend";
import { NET_ADDR_OFFSET, NET_AREA, NetOp } from "./internal/NetOp.js";
import { decodeSockaddr, domainOf, encodeSockaddr, resolveHost, SOCK_STREAM } from "./internal/sockaddr.js";
import { ABANDONED, CLOSED, ringError, type UringBackend } from "./UringBackend.js";
import { UringListener } from "./UringListener.js";
import { UringStream } from "./UringStream.js";

/** connect's, listen's and bind's address: the backend kit's schema, as on every backend. */
export const NetAddress = NetAddressSchema;

const BACKLOG = 511;

export class UringTcp implements Tcp {
  constructor(readonly backend: UringBackend) {}

  /** Connects to `host:port`; kind Refused when nobody listens, InvalidInput for a bad address. */
  async connect(address: TcpAddress): Promise<UringStream> {
    const { host, port } = parseOptions(NetAddress, address, "connect");
    this.#checkOpen("connect");
    const ip = await resolveHost(host, "connect");
    // The runtime may have closed while the name was looked up.
    this.#checkOpen("connect");
    const fd = this.backend.openSocket(domainOf(ip), SOCK_STREAM, null, 0);
    if (fd < 0) throw ringError(fd, { op: "connect" });
    const area = new Uint8Array(NET_AREA);
    const length = encodeSockaddr(ip, port, area, NET_ADDR_OFFSET);
    const result = await new Promise<number>((resolve) => {
      const op = new NetOp(this.backend.opcodes.CONNECT, fd, 0, 0, length, undefined, area, resolve);
      this.backend.submit(op, op);
    });
    if (result < 0) {
      this.backend.closeFdNow(fd);
      if (result === CLOSED || result === ABANDONED || this.backend.closed) throw new IoError("Closed", "connect: the uring runtime was closed", { op: "connect", backend: "uring" });
      // node:net's text on the other backends: `connect ECONNREFUSED 127.0.0.1:8080`.
      throw fromSocketErrno(result, { op: "connect", backend: "uring", address: `${ip}:${port}` });
    }
    try {
      // The peer's address from the kernel (getpeername), as Node reports it: not the one asked
      // for, which may be a wildcard (0.0.0.0 reaches 127.0.0.1).
      return new UringStream(this.backend, fd);
    } catch (error) {
      this.backend.closeFdNow(fd);
      throw error;
    }
  }

  /** Listens on `host:port` (port 0: the OS picks one, see `address`); kind AddrInUse if taken. */
  async listen(address: TcpAddress): Promise<UringListener> {
    const { host, port } = parseOptions(NetAddress, address, "listen");
    this.#checkOpen("listen");
    const ip = await resolveHost(host, "listen");
    this.#checkOpen("listen");
    const bound = new Uint8Array(128);
    const length = encodeSockaddr(ip, port, bound);
    const fd = this.backend.openSocket(domainOf(ip), SOCK_STREAM, bound.subarray(0, length), BACKLOG);
    // node:net's form, as on libuv: `listen EADDRINUSE 127.0.0.1:8080`.
    if (fd < 0) throw fd === CLOSED ? ringError(fd, { op: "listen" }) : fromSocketErrno(fd, { op: "listen", backend: "uring", address: `${ip}:${port}` });
    const local = this.backend.socketName(fd, false, bound) > 0 ? decodeSockaddr(bound) : undefined;
    try {
      if (local === undefined) throw new IoError("Other", "listen: the socket has no address", { op: "listen", backend: "uring" });
      return new UringListener(this.backend, fd, local);
    } catch (error) {
      this.backend.closeFdNow(fd);
      throw error;
    }
  }

  #checkOpen(op: string): void {
    if (this.backend.closed) throw new IoError("Closed", `${op}: the uring runtime is closed`, { op, backend: "uring" });
  }
}
