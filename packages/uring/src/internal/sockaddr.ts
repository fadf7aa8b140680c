/**
 * Socket addresses as the kernel lays them out (struct sockaddr_in / sockaddr_in6, little-endian
 * hosts): encoded for bind, connect and SENDMSG, decoded from ACCEPT, RECVMSG and getsockname.
 * Host names are resolved with node:dns first; the kernel only ever sees literals.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { IoError, type SocketAddress } from "@pktio/core";

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
/** sizeof(struct sockaddr_in) and sizeof(struct sockaddr_in6). */
const IN4_SIZE = 16;
const IN6_SIZE = 28;

/** An IP literal for `host` (resolved when it is a name); kind HostNotFound when it has none. */
export async function resolveHost(host: string, op: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (error) {
    // node:net's code and text (`getaddrinfo ENOTFOUND host`), as libuv and threaded report it.
    const code = (error as { code?: unknown }).code;
    const named = typeof code === "string" && /^E[A-Z_]+$/.test(code) ? code : "ENOTFOUND";
    throw new IoError("HostNotFound", `getaddrinfo ${named} ${host}`, { op, backend: "uring", code: named, cause: error });
  }
}

/** The domain of an IP literal. */
export function domainOf(ip: string): number {
  return isIP(ip) === 6 ? AF_INET6 : AF_INET;
}

/** Writes the sockaddr of (ip, port) into `out` at `offset`; returns its length. */
export function encodeSockaddr(ip: string, port: number, out: Uint8Array, offset = 0): number {
  const view = new DataView(out.buffer, out.byteOffset + offset, IN6_SIZE);
  if (isIP(ip) === 6) {
    out.fill(0, offset, offset + IN6_SIZE);
    view.setUint16(0, AF_INET6, true);
    view.setUint16(2, port, false);
    const groups = expandIPv6(ip);
    for (let i = 0; i < 8; i++) view.setUint16(8 + 2 * i, groups[i] as number, false);
    return IN6_SIZE;
  }
  out.fill(0, offset, offset + IN4_SIZE);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  ip.split(".").forEach((part, i) => view.setUint8(4 + i, Number(part)));
  return IN4_SIZE;
}

/** The address in `bytes` at `offset` (AF_INET or AF_INET6); undefined for other families. */
export function decodeSockaddr(bytes: Uint8Array, offset = 0): SocketAddress | undefined {
  return decodeSockaddrAt(new DataView(bytes.buffer, bytes.byteOffset), offset);
}

/** IPv4 hosts as text, by their 32-bit address: a UDP server hears the same few hosts again and again. */
export type HostNames = Map<number, string>;
/** A HostNames map is emptied when it reaches this many entries (the text is only a cache). */
const HOST_NAMES_MAX = 1024;

/**
 * `decodeSockaddr` on a view the caller keeps (no view allocated a datagram), with IPv4 host text
 * taken from `hosts` when given (no string built a datagram).
 */
export function decodeSockaddrAt(view: DataView, offset: number, hosts?: HostNames): SocketAddress | undefined {
  const family = view.getUint16(offset, true);
  const port = view.getUint16(offset + 2, false);
  if (family === AF_INET) {
    const ip = view.getUint32(offset + 4, false);
    let host = hosts?.get(ip);
    if (host === undefined) {
      host = `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
      if (hosts !== undefined) {
        if (hosts.size >= HOST_NAMES_MAX) hosts.clear();
        hosts.set(ip, host);
      }
    }
    return { host, port, family: "IPv4" };
  }
  if (family !== AF_INET6) return undefined;
  const groups = Array.from({ length: 8 }, (_, i) => view.getUint16(offset + 8 + 2 * i, false));
  return { host: compressIPv6(groups), port, family: "IPv6" };
}

function expandIPv6(ip: string): number[] {
  const [head = "", tail] = ip.split("::");
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").flatMap((group) => (group.includes(".") ? v4Groups(group) : [parseInt(group, 16)])));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array.from({ length: 8 - left.length - right.length }, () => 0), ...right];
}

function v4Groups(dotted: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split(".").map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/**
 * RFC 5952 text, as Node prints addresses (libuv's inet_ntop): the longest run of zero groups
 * becomes "::", and an IPv4-mapped (`::ffff:a.b.c.d`) or IPv4-compatible (`::a.b.c.d`) address
 * ends in dotted quad, so a dual-stack socket reached over IPv4 reports `::ffff:127.0.0.1`, not
 * `::ffff:7f00:1`, on every backend.
 */
export function compressIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  // Node's rule (measured on a connected udp6 socket: "::1.2.3.4", but "::2", not "::0.0.0.2"):
  // the zero run starts the address and is 6 groups long, or 5 followed by ffff.
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff))) {
    const prefix = bestLength === 5 ? "::ffff:" : "::";
    const [high = 0, low = 0] = [groups[6], groups[7]];
    return `${prefix}${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
