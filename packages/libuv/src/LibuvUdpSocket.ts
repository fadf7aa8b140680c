/**
 * A UDP socket on libuv: one node:dgram Socket behind the UDP contract. Datagrams that arrive
 * wait in order (at most MAX_QUEUED_DATAGRAMS; past it new ones are dropped, as a full kernel
 * buffer drops them, and counted in `droppedDatagrams`) for receives, which are served in order,
 * each by one datagram. Sends go to `socket.send` without a copy and complete in its callback.
 *
 * Invariants:
 * - Every view settles exactly once: it leaves its queue (or set) before it is settled; a late
 *   dgram callback for a view that already left (failed by close) is ignored.
 * - A queued receive whose signal fires leaves the queue before a datagram is copied into it.
 * - The socket is ref'd only while operations are pending: an idle bound socket never keeps the
 *   process alive (as the runtime's idle rule asks), a waiting receive always does.
 */
import { isIPv4 } from "node:net";
import type { RemoteInfo, Socket } from "node:dgram";
import { IoError, UdpSocket, type BoundPacketView, type DatagramInfo, type Read, type SocketAddress, type UdpAddress, type Write } from "@pktio/core";
import { abortError, detachedError, Fifo } from "@pktio/core/backend";
import { checkUdpAddress, toSocketAddress } from "./internal/address.js";
import { libuvError } from "./internal/errors.js";
import type { LibuvBackend } from "./LibuvBackend.js";

/** Received datagrams held for receives; more are dropped until receives catch up. */
export const MAX_QUEUED_DATAGRAMS = 4096;

interface PendingRecv {
  readonly view: BoundPacketView<Write>;
  readonly info: DatagramInfo;
}

interface Arrived {
  readonly bytes: Buffer;
  readonly from: SocketAddress;
}

export class LibuvUdpSocket extends UdpSocket {
  readonly backend: LibuvBackend;
  readonly localAddress: SocketAddress;
  readonly #socket: Socket;
  readonly #recvs = new Fifo<PendingRecv>();
  readonly #sends = new Set<BoundPacketView<Read>>();
  readonly #arrived = new Fifo<Arrived>();
  #dropped = 0;
  #refd = true;
  readonly #untrack: () => void;
  readonly #socketClosed: Promise<void>;
  readonly #dropAborted = (): void => {
    for (const recv of this.#recvs.removeWhere((pending) => pending.view.packet.signal?.aborted === true)) {
      recv.view.fail(abortError(recv.view.packet.signal as AbortSignal, "recvFrom", "libuv"));
    }
    this.#updateRef();
  };

  /** Adopts a bound socket; throws kind Closed (the caller closes the socket) if the runtime is closed. */
  constructor(backend: LibuvBackend, socket: Socket, local: SocketAddress) {
    super();
    this.backend = backend;
    this.#untrack = backend.track(this);
    this.#socket = socket;
    this.localAddress = local;
    this.#socketClosed = new Promise((resolve) => socket.once("close", resolve)).then(() => void this.#untrack());
    socket.on("message", (bytes: Buffer, remote: RemoteInfo) => this.#onMessage(bytes, remote));
    socket.on("error", (error) => this.#onError(error));
    this.#updateRef();
  }

  /** Datagrams dropped because MAX_QUEUED_DATAGRAMS were waiting (diagnostic). */
  get droppedDatagrams(): number {
    return this.#dropped;
  }

  protected checkAddress(address: unknown, op: string): UdpAddress {
    return checkUdpAddress(address, op);
  }

  protected submitSend(view: BoundPacketView<Read>, to: UdpAddress | undefined): void {
    this.#sends.add(view);
    this.#updateRef();
    const done = (error: Error | null): void => {
      if (!this.#sends.delete(view)) return; // already failed by close()
      this.#updateRef();
      if (error === null || error === undefined) view.complete();
      else view.fail(libuvError(error, "send"));
    };
    // node:dgram may queue the datagram (before the bind completes, or a full buffer) pointing at
    // its memory: plain ArrayBuffer bytes are copied, as for stream writes.
    const bytes = view.bytes();
    const data = view.packet.shared ? bytes : Buffer.from(bytes);
    try {
      if (to === undefined) this.#socket.send(data, done);
      else this.#socket.send(data, to.port, this.#hostFor(to.host), done);
    } catch (error) {
      this.#sends.delete(view);
      this.#updateRef();
      view.fail(libuvError(error, "send"));
    }
  }

  /**
   * An IPv4 literal as an IPv6 socket (bound to `::`, dual-stack) reaches it: IPv4-mapped, as the
   * kernel takes it on uring; node:dgram's udp6 socket refused the plain literal with EINVAL.
   */
  #hostFor(host: string): string {
    return this.localAddress.family === "IPv6" && isIPv4(host) ? `::ffff:${host}` : host;
  }

  protected submitRecv(view: BoundPacketView<Write>, info: DatagramInfo): void {
    this.#recvs.push({ view, info });
    view.packet.signal?.addEventListener("abort", this.#dropAborted, { once: true });
    this.#serve();
  }

  protected connectSocket(address: UdpAddress): Promise<SocketAddress> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(libuvError(error, "connect"));
      this.#socket.once("error", onError);
      try {
        this.#socket.connect(address.port, this.#hostFor(address.host), () => {
          this.#socket.off("error", onError);
          const remote = this.#socket.remoteAddress();
          resolve(toSocketAddress(remote.address, remote.port, remote.family) as SocketAddress);
        });
      } catch (error) {
        this.#socket.off("error", onError);
        reject(libuvError(error, "connect"));
      }
    });
  }

  protected closeSocket(): Promise<void> {
    const closed = new IoError("Closed", "the UDP socket was closed", { op: "close", backend: "libuv" });
    this.#arrived.drain();
    for (let recv = this.#recvs.shift(); recv !== undefined; recv = this.#recvs.shift()) recv.view.fail(closed);
    const sends = [...this.#sends];
    this.#sends.clear();
    for (const view of sends) view.fail(closed);
    this.#socket.close();
    return this.#socketClosed;
  }

  #onMessage(bytes: Buffer, remote: RemoteInfo): void {
    if (this.#arrived.length >= MAX_QUEUED_DATAGRAMS) {
      this.#dropped++;
      return;
    }
    this.#arrived.push({ bytes, from: toSocketAddress(remote.address, remote.port, remote.family) as SocketAddress });
    this.#serve();
  }

  /** An error no operation owns (Node reports ICMP errors of a connected socket here): the oldest receive learns it. */
  #onError(error: Error): void {
    const recv = this.#recvs.shift();
    if (recv !== undefined) recv.view.fail(libuvError(error, "recvFrom"));
    this.#updateRef();
  }

  /** One datagram per receive, oldest first. */
  #serve(): void {
    for (let recv = this.#recvs.peek(); recv !== undefined && this.#arrived.length > 0; recv = this.#recvs.peek()) {
      this.#recvs.shift();
      const { view, info } = recv;
      // Detached while it waited: it fails, and the datagram goes to the next receive.
      if (view.detached) {
        view.fail(detachedError("recvFrom", "libuv", "before it got a datagram"));
        continue;
      }
      const datagram = this.#arrived.shift() as Arrived;
      const length = Math.min(view.length, datagram.bytes.byteLength);
      view.bytes().set(datagram.bytes.subarray(0, length));
      info.length = length;
      info.from = datagram.from;
      info.truncated = datagram.bytes.byteLength > view.length;
      view.complete();
    }
    this.#updateRef();
  }

  #updateRef(): void {
    const busy = this.#recvs.length > 0 || this.#sends.size > 0;
    if (busy === this.#refd || this.closed) return;
    this.#refd = busy;
    if (busy) this.#socket.ref();
    else this.#socket.unref();
  }
}
