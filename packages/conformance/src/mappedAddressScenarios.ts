/**
 * IPv4-mapped addresses (issue 14): a dual-stack socket (bound to `::`) reached over IPv4 sees
 * its peer as `::ffff:127.0.0.1`, family IPv6 — the text node:net and node:dgram print, never hex
 * groups (`::ffff:7f00:1`) — on localAddress, remoteAddress and recvFrom's `from`, and a reply to
 * that `from` reaches the IPv4 peer. Each scenario compares with what Node reports for the same
 * connection. Skipped with the reason where the host has no IPv6 (binding `::` fails).
 */
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Runtime, UdpSocket } from "@pktio/core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { HOST, NetPeers } from "./internal/NetPeers.js";

const TIMEOUT = 10_000;
const ANY6 = "::";
const MAPPED = `::ffff:${HOST}`;

/** Why `::` cannot be bound here, or undefined when it can. */
async function noDualStack(): Promise<string | undefined> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: ANY6, port: 0, ipv6Only: false }, resolve);
    });
    return undefined;
  } catch (error) {
    return `this host cannot bind a dual-stack socket to "::" (${String(error)})`;
  } finally {
    server.close();
  }
}

export function describeMappedAddresses(getRuntime: () => Runtime): void {
  describe("IPv4-mapped addresses", () => {
    let missing: string | undefined;
    const peers = new NetPeers();
    const servers: Server[] = [];
    const sockets: (Socket | DgramSocket)[] = [];
    const udp: UdpSocket[] = [];
    beforeAll(async () => {
      missing = await noDualStack();
    });
    afterEach(async () => {
      await Promise.allSettled(udp.splice(0).map((socket) => socket.close()));
      for (const socket of sockets.splice(0)) {
        if ("destroy" in socket) socket.destroy();
        else socket.close();
      }
      await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      await peers.closeAll();
    });

    it(
      "a runtime listener on :: accepts an IPv4 client and reports both ends as node:net does (::ffff:127.0.0.1)",
      async (context) => {
        if (missing !== undefined) return context.skip(missing);
        const listener = peers.adopt(await getRuntime().net.listen({ host: ANY6, port: 0 }));
        const port = listener.address.port;
        const client = connect({ host: HOST, port });
        sockets.push(client);
        const [stream] = await Promise.all([listener.accept().then((accepted) => peers.adopt(accepted)), new Promise<void>((resolve) => client.once("connect", resolve))]);
        expect(stream.remoteAddress).toEqual({ host: MAPPED, port: client.localPort, family: "IPv6" });
        expect(stream.localAddress).toEqual({ host: MAPPED, port, family: "IPv6" });
      },
      TIMEOUT,
    );

    it(
      "a runtime client connected to ::ffff:127.0.0.1 reports the addresses the node:net server sees",
      async (context) => {
        if (missing !== undefined) return context.skip(missing);
        let accepted!: (socket: Socket) => void;
        const serverSide = new Promise<Socket>((resolve) => (accepted = resolve));
        const server = createServer((socket) => {
          sockets.push(socket);
          accepted(socket);
        });
        servers.push(server);
        await new Promise<void>((resolve) => server.listen({ host: ANY6, port: 0, ipv6Only: false }, resolve));
        const port = (server.address() as { port: number }).port;
        const stream = peers.adopt(await getRuntime().net.connect({ host: MAPPED, port }));
        const socket = await serverSide;
        expect(socket.remoteAddress).toBe(MAPPED);
        expect(stream.remoteAddress).toEqual({ host: socket.localAddress, port, family: "IPv6" });
        expect(stream.localAddress).toEqual({ host: socket.remoteAddress, port: socket.remotePort, family: "IPv6" });
      },
      TIMEOUT,
    );

    /** A runtime UDP socket on :: and a node:dgram IPv4 peer on 127.0.0.1, both closed after the test. */
    const dualStackPair = async (): Promise<{ socket: UdpSocket; peer: DgramSocket }> => {
      const socket = await getRuntime().udp.bind({ host: ANY6, port: 0 });
      udp.push(socket);
      const peer = createSocket("udp4");
      sockets.push(peer);
      await new Promise<void>((resolve) => peer.bind({ port: 0, address: HOST }, resolve));
      return { socket, peer };
    };

    it(
      "a runtime UDP socket on :: receives from an IPv4 node:dgram peer with from = ::ffff:127.0.0.1, and its reply to from arrives",
      async (context) => {
        if (missing !== undefined) return context.skip(missing);
        const { socket, peer } = await dualStackPair();
        const reply = new Promise<{ bytes: Buffer; address: string }>((resolve) => peer.once("message", (bytes, from) => resolve({ bytes, address: from.address })));
        peer.send(Uint8Array.of(1, 2, 3), socket.localAddress.port, HOST);
        const dst = new Uint8Array(16);
        const got = await socket.recvFrom(dst);
        expect(got).toEqual({ length: 3, from: { host: MAPPED, port: peer.address().port, family: "IPv6" }, truncated: false });
        expect(await socket.sendTo(Uint8Array.of(9), got.from)).toBe(1);
        const answer = await reply;
        expect([...answer.bytes]).toEqual([9]);
        expect(answer.address).toBe(HOST);
      },
      TIMEOUT,
    );

    it(
      "a runtime UDP socket on :: sends to (and connects to) a plain IPv4 literal, as the kernel maps it",
      async (context) => {
        if (missing !== undefined) return context.skip(missing);
        const { socket, peer } = await dualStackPair();
        const received: number[] = [];
        const both = new Promise<void>((resolve) =>
          peer.on("message", (bytes) => {
            received.push(...bytes);
            if (received.length === 2) resolve();
          }),
        );
        // libuv's node:dgram udp6 socket refused the plain literal (EINVAL).
        expect(await socket.sendTo(Uint8Array.of(4), { host: HOST, port: peer.address().port })).toBe(1);
        await socket.connect({ host: HOST, port: peer.address().port });
        expect(await socket.send(Uint8Array.of(5))).toBe(1);
        await both;
        expect(received).toEqual([4, 5]);
      },
      TIMEOUT,
    );
  });
}
