/**
 * @pktio/core: the packet model (packets, views that split, per-segment results), the `PacketIo`
 * and `IoBackend` contracts, the IoError family, the helpers derived once from `sendIo`, and
 * `MemoryIo`, the in-memory reference target. What only a backend needs (settling transfers,
 * errno mapping, option parsing, validation) is the backend author's kit, `@pktio/core/backend`.
 *
 * @packageDocumentation
 * @module @pktio/core
 */
export { BoundPacketView } from "./BoundPacketView.js";
export { Cursor, type RandomAccess } from "./Cursor.js";
export { io, sendPacket, type IoOutput } from "./io.js";
export { IoError, IoErrorKinds, toIoError, type IoErrorContext, type IoErrorKind } from "./IoError.js";
export { IoJoin, ioSync, request, runIo, runIoSync, type IoProgram, type IoRequest, type IoStep } from "./IoProgram.js";
export { joinIo, joinPrograms, type ProgramValue } from "./joinPrograms.js";
export { MAX_PACKET_LENGTH } from "./internal/validate.js";
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
  type Endian,
  type NumberType,
  type Sized,
  type NumberValue,
} from "./numbers.js";
export { Packet, whenReleased } from "./Packet.js";
export { NoPos, type DirectAsync, type DirectSync, type IoBackend, type PacketIo, type PollingHandle, type Pos } from "./PacketIo.js";
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
export { chunks, chunksSync, type ChunkOptions } from "./fs/chunks.js";
export { NodeStats } from "./fs/NodeStats.js";
export { readRange, readRangeSync } from "./fs/readRange.js";
export { NodeFileHandle, toNodeFileHandle, type NodeReadOptions } from "./fs/toNodeFileHandle.js";
export type { DirEntry, FileStat, FileType } from "./fs/FileStat.js";
export type { DirHandle, Fs, FsOps, MkdirOptions, RemoveDirOptions } from "./fs/Fs.js";
export { OpenOptions } from "./fs/OpenOptions.js";
export { ByteStream, MAX_DEADLINE_MS, type AnyStreamView, type ShutdownHow, type SocketAddress } from "./net/ByteStream.js";
export { MemoryStream, MemoryStreamBackend, MemoryStreamFault, MemoryStreamOptions } from "./net/MemoryStream.js";
export type { Tcp, TcpAddress, TcpListener } from "./net/Tcp.js";
export { MAX_DATAGRAM, UdpSocket, type Datagram, type DatagramInfo, type Udp, type UdpAddress } from "./net/Udp.js";
export { BackendNames, type BackendName, type Runtime } from "./Runtime.js";
export type { IoOptions } from "./IoOptions.js";
