/**
 * The address schemas every backend checks its socket calls' addresses with, so a bad one is the
 * same InvalidInput everywhere. A host is a name or an IP literal: no spaces, no control
 * characters (a NUL would cut the name short where the resolver reads it: `"evil.example\0.ok"`
 * would look up `evil.example`), at most 255 characters (DNS's limit on a name).
 */
import { z } from "zod";

const HOST_SHAPE = /^[^\s\u0000-\u001f\u007f]{1,255}$/;

/** Whether `host` has a host's shape (see the file's comment); the fast path of a datagram's address. */
export function isHostShaped(host: string): boolean {
  return HOST_SHAPE.test(host);
}

/** A host name or IP address, as connect, listen, bind and sendTo take it. */
export const HostSchema = z
  .string()
  .min(1, "must be a non-empty host name or IP address")
  .refine(isHostShaped, "must be a host name or IP address of at most 255 characters, without spaces or control characters");

/** `{ host, port }` of connect, listen and bind (port 0 to bind: the OS picks one). */
export const NetAddressSchema = z.strictObject({
  host: HostSchema,
  port: z.number().int().min(0).max(65_535),
});

/** A datagram's address: a NetAddress, or a SocketAddress as `recvFrom` reports it (reply to `from`). */
export const DatagramAddressSchema = NetAddressSchema.extend({ family: z.enum(["IPv4", "IPv6"]).optional() });
