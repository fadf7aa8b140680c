/**
 * The `net` of a threaded runtime opened without one: the threaded backend has no sockets of
 * its own (worker threads add nothing to epoll), so connect and listen fail with kind
 * Unsupported. `@pktio/rt` lends libuv's sockets instead: `openThreaded(options, { net })`.
 */
import { IoError, type ByteStream, type Tcp, type TcpListener, type Udp, type UdpSocket } from "@pktio/core";
import { BACKEND } from "./internal/errors.js";

export class NoSockets implements Tcp {
  connect(): Promise<ByteStream> {
    return Promise.reject(unsupported("connect"));
  }
  listen(): Promise<TcpListener> {
    return Promise.reject(unsupported("listen"));
  }
}

/**
 * The `udp` of a threaded runtime opened without one: Unsupported, as for TCP. `@pktio/rt` lends
 * libuv's node:dgram (on the main thread: a datagram costs one system call, and handing it to a
 * worker would add an Atomics round trip per datagram and no parallelism).
 */
export class NoUdp implements Udp {
  bind(): Promise<UdpSocket> {
    return Promise.reject(unsupported("bind"));
  }
}

function unsupported(op: string): IoError {
  return new IoError("Unsupported", `${op}: the threaded backend has no sockets of its own; @pktio/rt lends it libuv's (or pass them: openThreaded(options, { net, udp }))`, { op, backend: BACKEND });
}
