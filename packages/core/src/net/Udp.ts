/**
 * The UDP contract: `rt.udp.bind(address)` gives a `UdpSocket`. One datagram per packet: a send
 * packet is one datagram, a receive packet gets exactly one (its length, its sender, and whether
 * it was truncated — a datagram longer than the packet loses its tail, as recvmsg's MSG_TRUNC
 * says, and `truncated` says so). Receives are served in order, each by the oldest datagram
 * that arrived. Per-operation options (`signal`, `timeoutMs`) work as on every packet: a receive
 * still queued when they fire leaves the queue and the next datagram goes to the next receive.
 * Closing the socket settles every pending operation with kind Closed. Core holds the checks,
 * the lifecycle and the packet plumbing; a backend fills in `submitSend`, `submitRecv`,
 * `connectSocket` and `closeSocket`.
 */
import type { BoundPacketView } from "../BoundPacketView.js";
import { IoError } from "../IoError.js";
import { abortError, checkIoOptions, type IoOptions } from "../IoOptions.js";
import { bindTo } from "../internal/packetInternals.js";
import { promiseOf, Settler } from "../internal/settler.js";
import { checkShared } from "../internal/validate.js";
import { Packet } from "../Packet.js";
import type { IoBackend } from "../PacketIo.js";
import type { PacketOutput, PacketResult } from "../PacketOutput.js";
import { Read, Write } from "../Perm.js";
import type { SocketAddress } from "./ByteStream.js";
import type { TcpAddress } from "./Tcp.js";

/**
 * A UDP address: an IPv4 or IPv6 literal or a host name, and a port (0 to bind: the OS picks).
 * A `SocketAddress` (a datagram's `from`) is one too, so a server replies with `sendTo(bytes, from)`.
 */
export type UdpAddress = TcpAddress & { readonly family?: "IPv4" | "IPv6" };

/** One received datagram as `recvFrom` reports it. */
export interface Datagram {
  /** Bytes written into the buffer: the datagram's length, or the buffer's when truncated. */
  readonly length: number;
  /** Who sent it. */
  readonly from: SocketAddress;
  /** The datagram was longer than the buffer; its tail is gone. */
  readonly truncated: boolean;
}

/** What a backend fills in for a receive before it completes the view. */
export interface DatagramInfo {
  length: number;
  from: SocketAddress | undefined;
  truncated: boolean;
}

/** The largest UDP payload over IPv4 (65535 - 8 - 20). */
export const MAX_DATAGRAM = 65_507;

/**
 * A bound UDP socket: the shared argument checks, closed state and packet plumbing of every
 * backend's UDP (as `ByteStream` is for TCP). Backends fill in the protected hooks.
 */
export abstract class UdpSocket {
  abstract readonly backend: IoBackend;
  /** The bound address (port 0 replaced by the OS's choice). */
  abstract readonly localAddress: SocketAddress;
  #remote: SocketAddress | undefined = undefined;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;

  get closed(): boolean {
    return this.#closed;
  }

  /** The peer set by `connect`, if any. */
  get remoteAddress(): SocketAddress | undefined {
    return this.#remote;
  }

  /** Sends `view` as one datagram to `to` (undefined: the connected peer). Settles the view once. */
  protected abstract submitSend(view: BoundPacketView<Read>, to: UdpAddress | undefined): void;
  /** Fills `view` with the next datagram and `info` with its length and sender, then completes the view. */
  protected abstract submitRecv(view: BoundPacketView<Write>, info: DatagramInfo): void;
  /** Fixes the peer (the kernel then drops datagrams from anyone else); resolves with its address. */
  protected abstract connectSocket(address: UdpAddress): Promise<SocketAddress>;
  /** Fails pending operations with kind Closed and releases the socket. */
  protected abstract closeSocket(): Promise<void>;
  /** Checks an address at the public entry (InvalidInput naming the bad key). */
  protected abstract checkAddress(address: unknown, op: string): UdpAddress;

  /** Sends `src` as one datagram to `address`; resolves with its length. */
  sendTo(src: Uint8Array, address: UdpAddress, options?: IoOptions): Promise<number> {
    return this.#startSend("sendTo", src, address, options);
  }

  /** Sends `src` as one datagram to the connected peer; kind InvalidInput when not connected. */
  send(src: Uint8Array, options?: IoOptions): Promise<number> {
    return this.#startSend("send", src, undefined, options);
  }

  /**
   * Receives the next datagram into `dst`. Like `readAt`, one promise and one output object per
   * call and no closure (a UDP server calls this once a datagram; issue 14).
   */
  recvFrom(dst: Uint8Array, options?: IoOptions): Promise<Datagram> {
    let shared: boolean;
    let checked: IoOptions | undefined;
    try {
      shared = checkShared(dst, "dst", "recvFrom");
      checked = checkIoOptions(options, "recvFrom");
    } catch (error) {
      return Promise.reject(error);
    }
    const output = new RecvOutput(this.backend.name);
    const done = promiseOf(output);
    const view = Packet.wrapChecked(dst, Write, shared)[bindTo](output, checked, this.backend.name);
    if (this.#admit(view, "recvFrom")) {
      try {
        this.submitRecv(view, output);
      } catch (thrown) {
        this.#broken(view, thrown);
      }
    }
    return done;
  }

  /** Fixes the peer for `send`; only its datagrams are received from then on. */
  async connect(address: UdpAddress): Promise<void> {
    const to = this.#destination(this.checkAddress(address, "connect"), "connect");
    if (this.#closed) throw this.#closedError("connect");
    if (this.#remote !== undefined) throw new IoError("InvalidInput", "connect: the socket is already connected", { op: "connect", backend: this.backend.name });
    this.#remote = await this.connectSocket(to);
  }

  /** Releases the socket; pending operations fail with kind Closed. Idempotent. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.closeSocket();
    }
    return this.#closing;
  }

  /**
   * `sendTo` (to `address`) and `send` (to the connected peer): the checks, which reject, then one
   * promise and one output per datagram, no closure.
   */
  #startSend(op: "sendTo" | "send", src: Uint8Array, address: UdpAddress | undefined, options: IoOptions | undefined): Promise<number> {
    let shared: boolean;
    let to: UdpAddress | undefined;
    let checked: IoOptions | undefined;
    try {
      shared = this.#checkDatagram(src, op);
      if (op === "sendTo") {
        // As node:dgram: a connected socket sends only to its peer (the kernel would take another
        // address on one backend and refuse it on another).
        if (this.#remote !== undefined) throw new IoError("InvalidInput", "sendTo: the socket is connected; use send(bytes), or a socket that is not connected", { op, backend: this.backend.name });
        to = this.#destination(this.checkAddress(address, op), op);
      } else if (this.#remote === undefined) throw new IoError("InvalidInput", "send: the socket is not connected; use sendTo(bytes, address) or connect first", { op: "send", backend: this.backend.name });
      checked = checkIoOptions(options, op);
    } catch (error) {
      return Promise.reject(error);
    }
    const output = new SendOutput();
    const done = promiseOf(output);
    const view = Packet.wrapChecked(src, Read, shared)[bindTo](output, checked, this.backend.name);
    if (this.#admit(view, "send")) {
      try {
        this.submitSend(view, to);
      } catch (thrown) {
        this.#broken(view, thrown);
      }
    }
    return done;
  }

  /** The checks every backend shares before a piece starts: closed, signal already fired. False: the view failed. */
  #admit(view: BoundPacketView<Read> | BoundPacketView<Write>, op: string): boolean {
    if (this.#closed) {
      view.fail(this.#closedError(op));
      return false;
    }
    const signal = view.packet.signal;
    if (signal?.aborted === true) {
      view.fail(abortError(signal, op, this.backend.name));
      return false;
    }
    return true;
  }

  /** A backend's submit hook threw: it broke its contract, and the throw fails the view (as `io()` does for sendIo). */
  #broken(view: BoundPacketView<Read> | BoundPacketView<Write>, thrown: unknown): void {
    if (view.settled) throw thrown;
    view.fail(thrown instanceof IoError ? thrown : new IoError("Other", `sendIo threw: ${String(thrown)}`, { op: "sendIo", cause: thrown }));
  }

  /** Checks a datagram to send; answers whether its bytes are shared memory (see `checkShared`). */
  #checkDatagram(src: Uint8Array, op: string): boolean {
    const shared = checkShared(src, "src", op);
    if (src.byteLength > MAX_DATAGRAM) throw new IoError("InvalidInput", `${op}: a datagram holds at most ${MAX_DATAGRAM} bytes, got ${src.byteLength}`, { op, backend: this.backend.name });
    return shared;
  }

  /** A datagram's destination: port 0 names no socket (binding takes it, sending does not). */
  #destination(to: UdpAddress, op: string): UdpAddress {
    if (to.port === 0) throw new IoError("InvalidInput", `${op}: the port must be from 1 to 65535 to send to, got 0`, { op, backend: this.backend.name });
    return to;
  }

  #closedError(op: string): IoError {
    return new IoError("Closed", `${op}: the UDP socket is closed`, { op, backend: this.backend.name });
  }
}

/**
 * The output of one `recvFrom`, and the DatagramInfo its backend fills in (declared up front, so
 * the object keeps one shape): resolves with the datagram once the view completes.
 */
class RecvOutput extends Settler<Datagram> implements PacketOutput, DatagramInfo {
  length = 0;
  from: SocketAddress | undefined = undefined;
  truncated = false;

  constructor(readonly backendName: string) {
    super();
  }

  onDone(result: PacketResult): void {
    if (result.error !== undefined) return this.reject(result.error);
    if (this.from === undefined) return this.reject(new IoError("Other", "recvFrom: the backend completed a receive without a sender", { op: "recvFrom", backend: this.backendName }));
    this.resolve({ length: this.length, from: this.from, truncated: this.truncated });
  }
}

/** The output of one send: resolves with the datagram's length. */
class SendOutput extends Settler<number> implements PacketOutput {
  onDone(result: PacketResult): void {
    if (result.error !== undefined) this.reject(result.error);
    else this.resolve(result.transferred);
  }
}

/** UDP on a runtime: `rt.udp.bind({ host, port })`. */
export interface Udp {
  /** Binds a socket (port 0: the OS picks, see `localAddress`); kind AddrInUse if taken. */
  bind(address: UdpAddress): Promise<UdpSocket>;
}
