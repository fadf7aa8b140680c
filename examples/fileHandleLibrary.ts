/**
 * Recipe: a library that takes a Node `fs.promises.FileHandle` gets a pktio file through
 * `toNodeFileHandle`. strtok3's `FileTokenizer` (the tokenizer under file-type and
 * music-metadata) is built on `FileHandle.read(buffer, offset, length, position)`; file-type
 * then detects the format through it. strtok3 makes the constructor protected (its own
 * `fromFile(path)` opens the handle), so the recipe names a subclass that only forwards it; the
 * class's code runs unchanged. docs/integrations.md.
 */
import { toNodeFileHandle, type FileHandle } from "@pktio/core";
import { fileTypeFromTokenizer, type FileTypeResult } from "file-type";
import { FileTokenizer } from "strtok3";

/** strtok3's FileTokenizer, constructible from outside: the FileHandle it reads is the pktio facade. */
export class PktioFileTokenizer extends FileTokenizer {
  constructor(handle: ReturnType<typeof toNodeFileHandle>, size: number, path: string) {
    super(handle, { fileInfo: { path, size } });
  }
}

/** A strtok3 tokenizer over a pktio file, as `strtok3.fromFile` builds one over `fs.promises.open`. */
export async function tokenizerOf(file: FileHandle): Promise<FileTokenizer> {
  const handle = toNodeFileHandle(file);
  const stat = await handle.stat();
  return new PktioFileTokenizer(handle, stat.size, file.path);
}

/** file-type's answer for a pktio file (undefined when it does not know the format). */
export async function fileTypeOf(file: FileHandle): Promise<FileTypeResult | undefined> {
  const tokenizer = await tokenizerOf(file);
  try {
    return await fileTypeFromTokenizer(tokenizer);
  } finally {
    await tokenizer.close();
  }
}
