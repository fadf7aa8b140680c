/** TCP addresses on libuv: the checked input of connect/listen, and Node's addresses as SocketAddress. */
import { isIPv6 } from "node:net";
import { type SocketAddress, type TcpAddress } from "@pktio/core";
import { DatagramAddressSchema, NetAddressSchema, parseOptions } from "@pktio/core/backend";

/** The backend kit's schemas: the same checks and messages as every backend's. */
export const TcpAddressSchema = NetAddressSchema;
export const UdpAddressSchema = DatagramAddressSchema;

/** A UDP address as given (its `family`, if any, is the host's), or IoError kind InvalidInput naming the bad key. */
export function checkUdpAddress(address: unknown, op: string): TcpAddress {
  const { host, port } = parseOptions(UdpAddressSchema, address, op);
  return { host, port };
}

/** The address as given, or IoError kind InvalidInput naming the bad key (`connect: "port": …`). */
export function checkTcpAddress(address: unknown, op: string): TcpAddress {
  // parseOptions treats undefined as {}, so a missing address is reported as a missing host.
  return parseOptions(TcpAddressSchema, address, op);
}

/** Node's (host, port, family) triple as a SocketAddress; undefined when the socket has none. */
export function toSocketAddress(host: string | undefined, port: number | undefined, family: string | number | undefined): SocketAddress | undefined {
  if (host === undefined || port === undefined) return undefined;
  // Node 18.0–18.3 reported the family as a number; later versions as "IPv4"/"IPv6".
  const v6 = family === "IPv6" || family === 6 || (family === undefined && isIPv6(host));
  return { host, port, family: v6 ? "IPv6" : "IPv4" };
}
