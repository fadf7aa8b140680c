// Socket addresses decoded from the kernel's bytes print as Node prints them (internal/sockaddr.ts).
import { SocketAddress } from "node:net";
import { describe, expect, it } from "vitest";
import { decodeSockaddr, encodeSockaddr } from "../src/internal/sockaddr.js";

/** Node's own text for an IPv6 address (inet_pton, then the inet_ntop its sockets use). */
const nodeText = (address: string): string => new SocketAddress({ address, family: "ipv6" }).address;

const roundTrip = (host: string): string | undefined => {
  const bytes = new Uint8Array(28);
  encodeSockaddr(host, 443, bytes);
  return decodeSockaddr(bytes)?.host;
};

describe("sockaddr text", () => {
  const cases = [
    "::ffff:7f00:1", // IPv4-mapped loopback: a dual-stack socket's IPv4 peer
    "::ffff:0:0",
    "::ffff:c0a8:102",
    "::102:304", // IPv4-compatible
    "::1",
    "::2",
    "::",
    "::ffff:1:2:3", // not mapped: ffff is not the sixth group
    "1::",
    "1:0:0:1:0:0:0:1",
    "fe80::1:ffff:7f00:1",
    "2001:db8:0:0:1:0:0:1",
    "ffff::7f00:1",
  ];
  for (const address of cases) {
    it(`${address} decodes to Node's text (${nodeText(address)})`, () => {
      expect(roundTrip(address)).toBe(nodeText(address));
    });
  }

  it("a mapped address keeps its port and family, and its text round-trips", () => {
    const bytes = new Uint8Array(28);
    encodeSockaddr("::ffff:127.0.0.1", 8080, bytes);
    expect(decodeSockaddr(bytes)).toEqual({ host: "::ffff:127.0.0.1", port: 8080, family: "IPv6" });
    expect(roundTrip("::ffff:127.0.0.1")).toBe("::ffff:127.0.0.1");
  });
});
