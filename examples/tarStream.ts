/**
 * Recipe: tar-stream's extractor reads a tar from a pktio file's stream: `createReadable()`
 * (asynchronous reads) or `Readable.from(file.chunksSync())` (one blocking read per chunk).
 * docs/integrations.md.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FileHandle } from "@pktio/core";
import tar from "tar-stream";

/** One tar entry: its header and its bytes. */
export interface TarEntry {
  readonly header: tar.Header;
  readonly bytes: Buffer;
}

/** A pktio file's bytes as a Node stream: asynchronous reads, or blocking ones with `sync`. */
export function tarSource(file: FileHandle, options: { sync?: boolean } = {}): Readable {
  return options.sync === true ? Readable.from(file.chunksSync({ chunkSize: 64 * 1024 }), { objectMode: false }) : file.createReadable({ chunkSize: 64 * 1024 });
}

/** Every entry of the tar that `source` streams, in order. */
export async function extractTar(source: Readable): Promise<TarEntry[]> {
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  const collected = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ header: entry.header, bytes: Buffer.concat(chunks) });
    }
  })();
  await Promise.all([pipeline(source, extract), collected]);
  return entries;
}
