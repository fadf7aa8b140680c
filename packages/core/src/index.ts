/**
 * @pktio/core: the packet model (packets, views that split, per-segment results), the `PacketIo`
 * and `IoBackend` contracts, the IoError family, the helpers derived once from `sendIo`, and
 * `MemoryIo`, the in-memory reference target.
 */
export { BoundPacketView } from "./BoundPacketView.js";
export { Cursor, type RandomAccess } from "./Cursor.js";
export { io, sendPacket, type IoOutput } from "./io.js";
export { fromErrno, IoError, IoErrorKinds, toIoError, type IoErrorContext, type IoErrorKind } from "./IoError.js";
export { ioSync, request, runIo, runIoSync, type IoProgram, type IoRequest } from "./IoProgram.js";
export { checkBytes, checkLength, checkPos, MAX_PACKET_LENGTH, positionOrError } from "./internal/validate.js";
export { MemoryIo, MemoryIoOptions } from "./MemoryIo.js";
export {
  decodeNumber,
  encodeNumber,
  readNumberAt,
  readNumberAtProgram,
  readNumberAtSync,
  sizeOfNumber,
  writeNumberAt,
  writeNumberAtProgram,
  writeNumberAtSync,
  type NumberType,
  type NumberValue,
} from "./numbers.js";
export { describeIssues, parseOptions } from "./options.js";
export { Packet } from "./Packet.js";
export { NoPos, type IoBackend, type PacketIo, type PollingHandle, type Pos } from "./PacketIo.js";
export type { PacketOutput, PacketResult, PacketSegment } from "./PacketOutput.js";
export { Read, ReadWrite, Write, type Perm, type PermTag } from "./Perm.js";
export {
  isEof,
  readAt,
  readAtProgram,
  readAtSync,
  readExactAt,
  readExactAtProgram,
  readExactAtSync,
  readToEnd,
  readToEndProgram,
  readToEndSync,
  writeAllAt,
  writeAllAtProgram,
  writeAllAtSync,
  writeAt,
  writeAtProgram,
  writeAtSync,
  type ReadTarget,
  type WriteTarget,
} from "./readWrite.js";
export { SegmentStream } from "./SegmentStream.js";
export { createReadable, createReadableStream, createWritable, type ReadStreamOptions, type WriteStreamOptions } from "./streams.js";
