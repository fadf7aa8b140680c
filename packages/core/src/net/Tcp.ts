/** The TCP contract (types only: core never touches `node:net`). */
import type { ByteStream, SocketAddress } from "./ByteStream.js";

export interface TcpAddress {
  readonly host: string;
  readonly port: number;
}

export interface TcpListener extends AsyncIterable<ByteStream> {
  /** The bound address (port 0 is replaced by the one the OS chose). */
  readonly address: SocketAddress;
  /** The next incoming connection; kind Closed once the listener is closed. */
  accept(): Promise<ByteStream>;
  close(): Promise<void>;
}

export interface Tcp {
  /** Connects; kind Refused when nobody listens. */
  connect(address: TcpAddress): Promise<ByteStream>;
  listen(address: TcpAddress): Promise<TcpListener>;
}
