/**
 * The `net` of a threaded runtime opened without one: the threaded backend has no sockets of
 * its own (worker threads add nothing to epoll), so connect and listen fail with kind
 * Unsupported. `@pktio/rt` lends libuv's sockets instead: `openThreaded(options, { net })`.
 */
import { IoError, type ByteStream, type Tcp, type TcpListener } from "@pktio/core";
import { BACKEND } from "./internal/errors.js";

export class NoSockets implements Tcp {
  connect(): Promise<ByteStream> {
    return Promise.reject(unsupported("connect"));
  }
  listen(): Promise<TcpListener> {
    return Promise.reject(unsupported("listen"));
  }
}

function unsupported(op: string): IoError {
  return new IoError("Unsupported", `${op}: the threaded backend has no sockets of its own; @pktio/rt lends it libuv's (or pass one: openThreaded(options, { net }))`, { op, backend: BACKEND });
}
