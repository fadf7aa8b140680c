/**
 * The base of every stream-like target (TCP sockets). Packets are sent with `NoPos` and served in
 * order. A read packet completes with the bytes that have arrived (at least one) and fails the
 * rest with kind WouldBlock; at end of stream the whole packet fails with UnexpectedEof. A write
 * packet completes when the kernel accepted all of it.
 */
import type { BoundPacketView } from "../BoundPacketView.js";
import { io } from "../io.js";
import { IoError } from "../IoError.js";
import { checkBytes, checkLength } from "../internal/validate.js";
import { Packet } from "../Packet.js";
import { NoPos, type IoBackend, type PacketIo } from "../PacketIo.js";
import { Read, Write } from "../Perm.js";

export type AnyStreamView = BoundPacketView<Write> | BoundPacketView<Read>;
export type ShutdownHow = "read" | "write" | "both";

export interface SocketAddress {
  readonly host: string;
  readonly port: number;
  readonly family: "IPv4" | "IPv6";
}

export abstract class ByteStream implements PacketIo<Write, NoPos>, PacketIo<Read, NoPos> {
  abstract readonly backend: IoBackend;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;

  get closed(): boolean {
    return this.#closed;
  }

  sendIo(param: NoPos, view: AnyStreamView): void {
    if (param !== NoPos) return view.fail(new IoError("InvalidInput", "a stream takes NoPos as its parameter", { op: "sendIo", backend: this.backend.name }));
    if (this.#closed) return view.fail(new IoError("Closed", "stream is closed", { op: "sendIo", backend: this.backend.name }));
    if (view.perm.backendWrites === view.perm.backendReads) {
      return view.fail(new IoError("InvalidInput", "a ReadWrite packet has no single direction for a stream", { op: "sendIo", backend: this.backend.name }));
    }
    this.submit(view);
  }

  /** Queues a checked view; reads and writes each keep their order. */
  protected abstract submit(view: AnyStreamView): void;
  protected abstract closeStream(): Promise<void>;
  abstract shutdown(how: ShutdownHow): Promise<void>;
  abstract readonly localAddress: SocketAddress | undefined;
  abstract readonly remoteAddress: SocketAddress | undefined;

  /** Reads what has arrived into `dst` (at least 1 byte); 0 means the peer ended the stream. */
  async read(dst: Uint8Array): Promise<number> {
    checkBytes(dst, "dst", "read");
    if (dst.byteLength === 0) return 0;
    const result = await io(this, NoPos, Packet.wrap(dst, Write));
    const kind = result.error?.kind;
    if (result.error !== undefined && kind !== "WouldBlock" && kind !== "UnexpectedEof") throw result.error;
    return result.transferred;
  }

  /** Fills `dst` (or a new buffer of `length` bytes); kind UnexpectedEof if the stream ends first. */
  async readExact(target: Uint8Array | number): Promise<Uint8Array> {
    const dst = typeof target === "number" ? new Uint8Array(checkLength(target, "length", undefined, "readExact")) : checkBytes(target, "dst", "readExact");
    let filled = 0;
    while (filled < dst.byteLength) {
      const count = await this.read(dst.subarray(filled));
      if (count === 0) throw new IoError("UnexpectedEof", `readExact: the stream ended after ${filled} of ${dst.byteLength} bytes`, { op: "readExact", backend: this.backend.name });
      filled += count;
    }
    return dst;
  }

  /** Writes all of `src`; resolves with its length once the kernel accepted it. */
  async write(src: Uint8Array): Promise<number> {
    checkBytes(src, "src", "write");
    const result = await io(this, NoPos, Packet.wrap(src, Read));
    if (result.error !== undefined) throw result.error;
    return result.transferred;
  }

  async writeAll(src: Uint8Array): Promise<void> {
    await this.write(src);
  }

  /** Ends both directions and releases the socket. Idempotent. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.closeStream();
    }
    return this.#closing;
  }
}
