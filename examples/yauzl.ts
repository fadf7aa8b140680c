/**
 * Recipe: yauzl reads a zip straight from a pktio file through `fromRandomAccessReader`. Two
 * readers: `PktioReader` (reads with `readExactAt`, entry streams with `createReadable`) and
 * `PktioSyncReader` (reads with `readExactAtSync`, entry streams over `chunksSync`: the fastest
 * path where the backend can block, with no hand-written stream). docs/integrations.md.
 */
import { Readable } from "node:stream";
import type { FileHandle } from "@pktio/core";
import yauzl from "yauzl";

/** A yauzl RandomAccessReader over a pktio file, asynchronous all the way. */
export class PktioReader extends yauzl.RandomAccessReader {
  constructor(readonly file: FileHandle) {
    super();
  }
  // yauzl's ranges are [start, end), as pktio's.
  override _readStreamForRange(start: number, end: number): Readable {
    return this.file.createReadable({ start, end });
  }
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null) => void): void {
    this.file.readExactAt(position, buffer.subarray(offset, offset + length)).then(() => callback(null), callback);
  }
  override close(callback: (error: Error | null) => void): void {
    this.file.close().then(() => callback(null), callback);
  }
}

/** The same reader on the blocking calls: each read and each entry chunk is one `*Sync` call. */
export class PktioSyncReader extends PktioReader {
  override _readStreamForRange(start: number, end: number): Readable {
    // objectMode off: the Uint8Array chunks become Buffers, as yauzl's inflater expects.
    return Readable.from(this.file.chunksSync({ start, end }), { objectMode: false });
  }
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null) => void): void {
    try {
      this.file.readExactAtSync(position, buffer.subarray(offset, offset + length));
    } catch (error) {
      return callback(error as Error);
    }
    callback(null);
  }
}

/** Opens the zip in `file` with yauzl (lazy entries; closing the zip closes the file). */
export async function openZip(file: FileHandle, options: { sync?: boolean } = {}): Promise<yauzl.ZipFile> {
  const reader = options.sync === true ? new PktioSyncReader(file) : new PktioReader(file);
  const size = options.sync === true ? file.sizeSync() : await file.size();
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(reader, size, { lazyEntries: true, autoClose: true }, (error, zip) => (error === null ? resolve(zip) : reject(error))),
  );
}

/** Every entry of an open zip with its uncompressed bytes (directories have none), in order. */
export async function readEntries(zip: yauzl.ZipFile): Promise<Array<{ name: string; bytes: Buffer }>> {
  const entries: Array<{ name: string; bytes: Buffer }> = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith("/")) {
        entries.push({ name: entry.fileName, bytes: Buffer.alloc(0) });
        return zip.readEntry();
      }
      zip.openReadStream(entry, (error, stream) => {
        if (error !== null) return reject(error);
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", reject);
        stream.on("end", () => {
          entries.push({ name: entry.fileName, bytes: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return entries;
}
