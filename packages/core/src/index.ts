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
export { describeIssues, parseOptions, z } from "./options.js";
export { Packet, whenReleased } from "./Packet.js";
export { NoPos, type DirectSync, type IoBackend, type PacketIo, type PollingHandle, type Pos } from "./PacketIo.js";
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
  PartialWriteError,
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
export { FileHandle, type AnyView } from "./fs/FileHandle.js";
export type { DirEntry, FileStat, FileType } from "./fs/FileStat.js";
export type { DirHandle, Fs, FsOps, MkdirOptions, RemoveDirOptions } from "./fs/Fs.js";
export { OpenOptions, resolveOpenOptions, type ResolvedOpenOptions } from "./fs/OpenOptions.js";
export { checkPath, isBeneath, resolveBeneath } from "./fs/paths.js";
export { confineWalk, type ConfineQuestion, type Confined, type LstatAnswer } from "./fs/confineWalk.js";
export { ByteStream, type AnyStreamView, type ShutdownHow, type SocketAddress } from "./net/ByteStream.js";
export type { Tcp, TcpAddress, TcpListener } from "./net/Tcp.js";
export { BackendNames, type BackendName, type Runtime } from "./Runtime.js";
export { settleRead, settleWrite, type TransferContext } from "./fs/settleTransfer.js";
export { abortError, checkIoOptions, type IoOptions } from "./IoOptions.js";
export { Fifo } from "./Fifo.js";
export { fileStatOf, fileTypeOf, type BigIntStatsLike } from "./fs/fileStatOf.js";
export { openFlags, type OpenFlagConstants } from "./fs/openFlags.js";
export { blockingTransfer, type BlockingResult } from "./fs/blockingTransfer.js";
