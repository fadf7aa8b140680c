/**
 * Recipe: tar-stream's extractor reads a tar from a pktio file's stream: `createReadable()`
 * (asynchronous reads) or `Readable.from(chunksSync(...))` (one blocking read per chunk). Any
 * target works the same: a file, or a MemoryIo.
 * docs/integrations.md.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { chunksSync, createReadable, type ReadTarget } from "@pktio/core";
import tar from "tar-stream";

/** One tar entry: its header and its bytes. */
export interface TarEntry {
  readonly header: tar.Header;
  readonly bytes: Buffer;
}

/** A pktio target's bytes (a file, a MemoryIo) as a Node stream: asynchronous reads, or blocking ones with `sync`. */
export function tarSource(target: ReadTarget, options: { sync?: boolean } = {}): Readable {
  return options.sync === true ? Readable.from(chunksSync(target, { chunkSize: 64 * 1024 }), { objectMode: false }) : createReadable(target, { chunkSize: 64 * 1024 });
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
