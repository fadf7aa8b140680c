/**
 * A UDP socket on the ring: RECVMSG and SENDMSG on a blocking-mode datagram socket, with the
 * msghdr, iovec and address in a side area the operation's slot owns (native/src/op_net.c).
 * With `directDatagrams` (the default) a send or receive first tries the socket with one
 * non-blocking sendmsg/recvmsg on the JS thread (`backend.datagramNow`), straight from or into
 * the caller's bytes; only one that would block goes to the ring. A datagram then costs one
 * system call and no completion, and the wake-up of one RECVMSG serves every datagram queued
 * behind it (issue 14: one wake-up, one eventfd read and one submission per datagram cost the
 * ring 1.7x node:dgram's CPU; RECVMSG pooled one per waiting receive woke every one of them for
 * each datagram). A ring receive goes into the packet's own bytes when they cannot be detached
 * (SharedArrayBuffer), else through the socket's private 64 KiB buffer; MSG_TRUNC in the
 * returned msg_flags is reported as `truncated`.
 *
 * Invariants:
 * - One SENDMSG in flight per socket, and no direct send while one is in flight or queued, so
 *   sends leave in order. One RECVMSG in flight at most, bound to the oldest waiting receive,
 *   and no direct receive while it is: receives are served in order, each by the oldest datagram.
 * - A datagram the kernel delivered to a receive whose caller left (signal, deadline) is kept
 *   for the next receive.
 * - The fd is closed (ring CLOSE) only after both directions' operations and the close's SHUTDOWN
 *   completed: the kernel looks a SHUTDOWN's fd up on its worker thread, so a CLOSE before that
 *   would let it shut down whatever socket reuses the number.
 */
import { isIP } from "node:net";
import { IoError, UdpSocket, type BoundPacketView, type DatagramInfo, type Read, type SocketAddress, type UdpAddress, type Write } from "@pktio/core";
import { abortError, DatagramAddressSchema, detachedError, Fifo, fromSocketErrno, isHostShaped, parseOptions } from "@pktio/core/backend";
import { isUndetachable } from "./internal/BounceArena.js";
import { EAGAIN, ECANCELED, MSG_TRUNC, MSGHDR_FLAGS_OFFSET, NET_ADDR_OFFSET, NET_AREA, NetOp } from "./internal/NetOp.js";
import { decodeSockaddr, decodeSockaddrAt, encodeSockaddr, resolveHost, type HostNames } from "./internal/sockaddr.js";
import { ABANDONED, CLOSED, ringError, type UringBackend } from "./UringBackend.js";

const DatagramAddress = DatagramAddressSchema;

const PRIVATE_BUFFER = 64 * 1024;

interface Arrived {
  readonly bytes: Uint8Array;
  readonly from: SocketAddress;
  readonly truncated: boolean;
}

interface PendingRecv {
  readonly view: BoundPacketView<Write>;
  readonly info: DatagramInfo;
}

interface PendingSend {
  readonly view: BoundPacketView<Read>;
  readonly to: UdpAddress | undefined;
}

export class UringUdpSocket extends UdpSocket {
  readonly backend: UringBackend;
  readonly localAddress: SocketAddress;
  readonly fd: number;
  readonly #recvs = new Fifo<PendingRecv>();
  readonly #sends = new Fifo<PendingSend>();
  readonly #carry = new Fifo<Arrived>();
  #recv: { op: NetOp; pending: PendingRecv | undefined } | undefined = undefined;
  #send: { op: NetOp; pending: PendingSend | undefined } | undefined = undefined;
  readonly #recvArea = new Uint8Array(NET_AREA);
  readonly #recvAreaView = new DataView(this.#recvArea.buffer);
  readonly #sendArea = new Uint8Array(NET_AREA);
  readonly #sendAreaView = new DataView(this.#sendArea.buffer);
  /** Senders' IPv4 hosts as text (no string built a datagram). */
  readonly #hosts: HostNames = new Map();
  /** The IP literal whose sockaddr the send area holds (only the port changes between its sends). */
  #sendHost: string | undefined = undefined;
  #sendNameLength = 0;
  #recvBuffer: Uint8Array | undefined = undefined;
  #sendBuffer: Uint8Array | undefined = undefined;
  #closed: (() => void) | undefined = undefined;
  /** The close's SHUTDOWN is in the kernel: the fd stays open until it completes. */
  #shutting = false;
  /** The CLOSE was submitted: it happens once. */
  #fdReleased = false;
  readonly #untrack: () => void;
  readonly #onAbort = (): void => this.#dropAborted();

  /** Takes a bound socket; throws kind Closed if the runtime is closed (the caller closes the fd). */
  constructor(backend: UringBackend, fd: number, local: SocketAddress) {
    super();
    this.backend = backend;
    this.#untrack = backend.track(this);
    this.fd = fd;
    this.localAddress = local;
  }

  protected checkAddress(address: unknown, op: string): UdpAddress {
    // The common shape (a datagram's `from` passed back) skips the schema; anything else gets its message.
    if (isPlainAddress(address)) return { host: address.host, port: address.port };
    const { host, port } = parseOptions(DatagramAddress, address, op);
    return { host, port };
  }

  protected submitRecv(view: BoundPacketView<Write>, info: DatagramInfo): void {
    this.#recvs.push({ view, info });
    this.#pumpRecvs();
    // Served at once (a datagram was queued): no listener left behind.
    if (!view.settled) view.packet.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  protected submitSend(view: BoundPacketView<Read>, to: UdpAddress | undefined): void {
    this.#sends.push({ view, to });
    this.#pumpSends();
    if (!view.settled) view.packet.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  #dropAborted(): void {
    for (const { view } of this.#recvs.removeWhere((pending) => pending.view.packet.signal?.aborted === true)) view.fail(abortError(view.packet.signal as AbortSignal, "recvFrom", "uring"));
    for (const { view } of this.#sends.removeWhere((pending) => pending.view.packet.signal?.aborted === true)) view.fail(abortError(view.packet.signal as AbortSignal, "send", "uring"));
    if (this.#recv?.pending?.view.packet.signal?.aborted === true) this.backend.cancel(this.#recv.op);
  }

  /**
   * Serves waiting receives, oldest first, while no RECVMSG is in flight: from datagrams kept by
   * cancelled receives, then straight from the socket (`datagramNow`, into the caller's own
   * bytes) until it has nothing queued; then one RECVMSG bound to the oldest, into its own bytes
   * when they cannot be detached. Its completion comes back here, so one wake-up drains the queue.
   */
  #pumpRecvs(): void {
    while (this.#recv === undefined) {
      const pending = this.#recvs.peek();
      if (pending === undefined) return;
      this.#recvs.shift();
      // Detached while it waited: it fails, and the next datagram goes to the next receive.
      if (pending.view.detached) {
        pending.view.fail(detachedError("recvFrom", "uring", "before it got a datagram"));
        continue;
      }
      const carried = this.#carry.shift();
      if (carried !== undefined) {
        this.#deliver(pending, carried.bytes, carried.from, carried.truncated);
        continue;
      }
      const own = pending.view.bytes();
      const now = this.backend.datagramNow(this.fd, false, own, own.byteLength, this.#recvArea, 0);
      if (now !== undefined && now !== EAGAIN) {
        if (now < 0) pending.view.fail(this.#resultError(now, "recvFrom", pending.view));
        else {
          const { bytes, from, truncated } = arrived(own, this.#recvAreaView, now, this.#hosts);
          this.#deliver(pending, bytes, from, truncated);
        }
        continue;
      }
      const buffer = isUndetachable(own) ? own : (this.#recvBuffer ??= new Uint8Array(PRIVATE_BUFFER));
      const length = Math.min(pending.view.length, buffer.byteLength);
      const op = new NetOp(this.backend.opcodes.RECVMSG, this.fd, length, 0, 0, buffer, this.#recvArea, (result) => this.#received(op, result));
      this.#recv = { op, pending };
      this.backend.submit(op, op);
    }
  }

  #deliver(pending: PendingRecv, bytes: Uint8Array, from: SocketAddress, truncated: boolean): void {
    const { view, info } = pending;
    if (view.detached) {
      // Detached while a RECVMSG filled the private buffer: the datagram stays for the next receive.
      if (!this.closed) this.#carry.push({ bytes: bytes.slice(), from, truncated });
      return view.fail(detachedError("recvFrom", "uring", "while the receive was in flight"));
    }
    const length = Math.min(view.length, bytes.byteLength);
    if (bytes.buffer !== view.packet.bytes.buffer || bytes.byteOffset !== view.packet.bytes.byteOffset + view.start) view.bytes().set(bytes.subarray(0, length));
    info.length = length;
    info.from = from;
    info.truncated = truncated || bytes.byteLength > view.length;
    view.complete();
  }

  #received(op: NetOp, result: number): void {
    const pending = this.#recv?.pending;
    this.#recv = undefined;
    if (result >= 0) {
      const { bytes, from, truncated } = arrived(op.buffer as Uint8Array, this.#recvAreaView, result, this.#hosts);
      if (pending === undefined || pending.view.packet.signal?.aborted === true) {
        if (!this.closed) this.#carry.push({ bytes: bytes.slice(), from, truncated });
        if (pending !== undefined) pending.view.fail(abortError(pending.view.packet.signal as AbortSignal, "recvFrom", "uring"));
      } else this.#deliver(pending, bytes, from, truncated);
    } else pending?.view.fail(this.#resultError(result, "recvFrom", pending.view));
    this.#afterOp();
    this.#pumpRecvs();
  }

  #pumpSends(): void {
    while (this.#send === undefined) {
      const pending = this.#sends.shift();
      if (pending === undefined) return;
      const { view, to } = pending;
      if (to !== undefined && to.host !== this.#sendHost && isIP(to.host) === 0) {
        // A host name: resolved first; the send keeps its place (nothing else starts meanwhile).
        const placeholder = new NetOp(0, this.fd, 0, 0, 0, undefined, undefined, () => undefined);
        this.#send = { op: placeholder, pending: undefined };
        void resolveHost(to.host, "sendTo").then(
          (ip) => {
            this.#send = undefined;
            this.#start({ view, to: { host: ip, port: to.port } });
            if (this.#send === undefined) this.#afterOp();
            this.#pumpSends();
          },
          (error: IoError) => {
            this.#send = undefined;
            view.fail(error);
            this.#afterOp();
            this.#pumpSends();
          },
        );
        return;
      }
      this.#start(pending);
    }
  }

  /**
   * One send: straight to the socket when it takes it now (from the caller's bytes, settled
   * here), else a SENDMSG from the caller's bytes when they cannot be detached, or from a copy.
   */
  #start(pending: PendingSend): void {
    const { view, to } = pending;
    if (this.closed) return view.fail(closedError("send"));
    if (view.detached) return view.fail(detachedError("send", "uring", "before it was sent"));
    const own = view.bytes();
    const nameLength = to === undefined ? 0 : this.#encodeDestination(to);
    const now = this.backend.datagramNow(this.fd, true, own, own.byteLength, this.#sendArea, nameLength);
    if (now !== undefined && now !== EAGAIN) return settleSend(view, now, now < 0 ? this.#resultError(now, "send", view) : undefined);
    const direct = isUndetachable(own);
    const buffer = direct ? own : (this.#sendBuffer ??= new Uint8Array(PRIVATE_BUFFER));
    if (!direct) buffer.set(own);
    const op = new NetOp(this.backend.opcodes.SENDMSG, this.fd, view.length, 0x4000, nameLength, buffer, this.#sendArea, (result) => this.#sent(op, result));
    this.#send = { op, pending };
    this.backend.submit(op, op);
  }

  /**
   * The destination into the send area: in full for a new host, else only the port (a server
   * answers the same few hosts on many ports; the area keeps the last address between sends).
   */
  #encodeDestination(to: UdpAddress): number {
    if (to.host === this.#sendHost) {
      this.#sendAreaView.setUint16(NET_ADDR_OFFSET + 2, to.port, false);
      return this.#sendNameLength;
    }
    this.#sendNameLength = encodeSockaddr(to.host, to.port, this.#sendArea, NET_ADDR_OFFSET);
    this.#sendHost = to.host;
    return this.#sendNameLength;
  }

  #sent(op: NetOp, result: number): void {
    const pending = this.#send?.pending;
    this.#send = undefined;
    if (pending !== undefined) settleSend(pending.view, result, result < 0 ? this.#resultError(result, "send", pending.view) : undefined);
    this.#afterOp();
    this.#pumpSends();
  }

  #resultError(result: number, op: string, view: BoundPacketView<Read> | BoundPacketView<Write>): IoError {
    const signal = view.packet.signal;
    if (result === ECANCELED && signal?.aborted === true) return abortError(signal, op, "uring");
    if (result === ECANCELED || result === CLOSED || result === ABANDONED || this.closed) return closedError(op);
    return ringError(result, { op });
  }

  protected async connectSocket(address: UdpAddress): Promise<SocketAddress> {
    const ip = await resolveHost(address.host, "connect");
    const area = new Uint8Array(NET_AREA);
    const length = encodeSockaddr(ip, address.port, area, NET_ADDR_OFFSET);
    const result = await new Promise<number>((resolve) => {
      const op = new NetOp(this.backend.opcodes.CONNECT, this.fd, 0, 0, length, undefined, area, resolve);
      this.backend.submit(op, op);
    });
    if (result < 0) throw result === CLOSED || result === ABANDONED ? closedError("connect") : fromSocketErrno(result, { op: "connect", backend: "uring", address: `${ip}:${address.port}` });
    return decodeSockaddr(area, NET_ADDR_OFFSET) as SocketAddress;
  }

  /** Nothing of this socket is in the kernel any more: its fd may be closed. */
  #idle(): boolean {
    return this.#recv === undefined && this.#send === undefined && !this.#shutting;
  }

  #afterOp(): void {
    if (this.#closed !== undefined && this.#idle()) this.#closeFd();
  }

  protected closeSocket(): Promise<void> {
    const closed = closedError("close");
    this.#carry.drain();
    for (let pending = this.#recvs.shift(); pending !== undefined; pending = this.#recvs.shift()) pending.view.fail(closed);
    for (let pending = this.#sends.shift(); pending !== undefined; pending = this.#sends.shift()) pending.view.fail(closed);
    const inFlight = [this.#recv, this.#send];
    for (const entry of inFlight) {
      const view = entry?.pending?.view;
      if (entry !== undefined) entry.pending = undefined;
      view?.fail(closed);
    }
    return new Promise<void>((resolve) => {
      this.#closed = resolve;
      if (this.#idle()) return this.#closeFd();
      // SHUT_RDWR wakes a receive blocked on a datagram socket; the cancel covers the rest.
      this.#shutting = true;
      const shut = new NetOp(this.backend.opcodes.SHUTDOWN, this.fd, 0, 2, 0, undefined, undefined, () => {
        this.#shutting = false;
        this.#afterOp();
      });
      this.backend.submit(shut, shut);
      for (const entry of inFlight) if (entry !== undefined && entry.op.opcode !== 0) this.backend.cancel(entry.op);
    });
  }

  #closeFd(): void {
    if (this.#fdReleased) return;
    this.#fdReleased = true;
    const done = this.#closed as () => void;
    this.backend.closeSocketFd(this.fd, () => {
      this.#untrack();
      done();
    });
  }
}

/** Settles a send with the kernel's answer: the whole datagram, a short one (never expected of UDP), or `error`. */
function settleSend(view: BoundPacketView<Read>, result: number, error: IoError | undefined): void {
  if (result === view.length) view.complete();
  else if (result >= 0) view.fail(new IoError("Other", `send: the kernel took ${result} of ${view.length} bytes of a datagram`, { op: "send", backend: "uring" }));
  else view.fail(error as IoError);
}

/** The datagram a RECVMSG brought into `buffer`, with its sender and MSG_TRUNC from the side area (`area`, a view of all of it). */
function arrived(buffer: Uint8Array, area: DataView, result: number, hosts: HostNames): Arrived {
  const flags = area.getUint32(MSGHDR_FLAGS_OFFSET, true);
  const from = decodeSockaddrAt(area, NET_ADDR_OFFSET, hosts) ?? { host: "", port: 0, family: "IPv4" as const };
  return { bytes: buffer.subarray(0, result), from, truncated: (flags & MSG_TRUNC) !== 0 };
}

/** True for `{ host, port, family? }` with nothing else and valid values: what the schema accepts, checked by hand. */
function isPlainAddress(address: unknown): address is UdpAddress {
  if (typeof address !== "object" || address === null) return false;
  const { host, port, family } = address as Record<string, unknown>;
  if (typeof host !== "string" || !isHostShaped(host) || typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65_535) return false;
  if (family !== undefined && family !== "IPv4" && family !== "IPv6") return false;
  for (const key in address) if (key !== "host" && key !== "port" && key !== "family") return false;
  return true;
}

function closedError(op: string): IoError {
  return new IoError("Closed", `${op}: the UDP socket was closed`, { op, backend: "uring" });
}
