/**
 * A name uring cannot resolve fails as node:net's does on libuv and threaded: kind HostNotFound,
 * the resolver's code (ENOTFOUND, EAI_AGAIN) and text `getaddrinfo <code> <host>` (it was
 * ERR_PKTIO_HOST_NOT_FOUND and "connect: cannot resolve …"). The resolver is replaced here, so
 * the test needs no DNS.
 */
import { describe, expect, it, vi } from "vitest";

vi.mock("node:dns/promises", () => ({
  lookup: vi.fn(async (host: string) => {
    const code = host.startsWith("again.") ? "EAI_AGAIN" : "ENOTFOUND";
    throw Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, syscall: "getaddrinfo", hostname: host });
  }),
}));

const { resolveHost } = await import("../src/internal/sockaddr.js");

describe("resolveHost", () => {
  it("fails with node:net's code and text", async () => {
    await expect(resolveHost("no-such-host.invalid", "connect")).rejects.toThrow(expect.objectContaining({ kind: "HostNotFound", code: "ENOTFOUND", op: "connect", message: "getaddrinfo ENOTFOUND no-such-host.invalid" }));
    await expect(resolveHost("again.example", "bind")).rejects.toThrow(expect.objectContaining({ kind: "HostNotFound", code: "EAI_AGAIN", message: "getaddrinfo EAI_AGAIN again.example" }));
    expect(await resolveHost("127.0.0.1", "connect")).toBe("127.0.0.1");
  });
});
