/**
 * A complete PacketIo over a file in ~40 lines, on Node's `fs.read`/`fs.write` callbacks: what a
 * backend supplies (`sendIo`), everything else (readAt, readToEnd, cursors, streams) comes from
 * @pktio/core. The real @pktio/libuv backend adds limits, queues, sync driving and errno mapping.
 */
import { read, write } from "node:fs";
import { IoError, toIoError, type BoundPacketView, type PacketIo, type Pos, type Read, type Write } from "@pktio/core";
import { positionOrError } from "@pktio/core/backend";

export class CallbackFileIo implements PacketIo<Write, Pos>, PacketIo<Read, Pos> {
  constructor(readonly fd: number) {}

  sendIo(pos: Pos, view: BoundPacketView<Write> | BoundPacketView<Read>): void {
    const position = positionOrError(pos, { op: "sendIo", backend: "example" });
    if (typeof position !== "number") return view.fail(position);
    const bytes = view.bytes();
    const settle = (error: NodeJS.ErrnoException | null, count: number): void => {
      if (error !== null) return view.fail(toIoError(error, { op: "read", backend: "example" }));
      if (count === view.length) return view.complete();
      // A short transfer: the part that arrived succeeds, the rest is past the end of the file.
      if (count === 0) return view.fail(new IoError("UnexpectedEof", `end of file at ${position}`));
      const [done, rest] = view.splitAt(count);
      done.complete();
      rest.fail(new IoError("UnexpectedEof", `end of file at ${position + count}`));
    };
    if (view.perm.backendWrites) read(this.fd, bytes, 0, bytes.length, position, settle);
    else write(this.fd, bytes, 0, bytes.length, position, settle);
  }
}
