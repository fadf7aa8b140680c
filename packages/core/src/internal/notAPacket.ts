/**
 * The TypeError for a value passed as a packet that is not this copy's Packet. A Packet of
 * another copy of @pktio/core (its CommonJS and ES module builds both loaded, or two versions
 * installed) carries the same `Symbol.for` brand but not this copy's private state, so it cannot
 * be taken: the message says so, where "must be a Packet" sent people looking for a typo.
 */
export const PACKET_BRAND = Symbol.for("pktio.Packet");

export function notAPacket(value: unknown): TypeError {
  if (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PACKET_BRAND] === true) {
    return new TypeError("packet is a Packet of another copy of @pktio/core (its CommonJS and ES module builds are both loaded, or two versions are installed): make packets with the same @pktio/core whose io() sends them");
  }
  return new TypeError("packet must be a Packet (Packet.alloc or Packet.wrap)");
}
