/**
 * Recipe: Node's own stream tools over a pktio file through `toNodeFileHandle`: a sha256 with
 * `stream.pipeline` over `createReadStream`, and lines with `readLines` (readline), as code written
 * for `fs.promises.open()` does them. docs/integrations.md.
 */
import { createHash } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { toNodeFileHandle, type FileHandle } from "@pktio/core";

/** The file's sha256, hex; the handle closes at the end (`await using`). */
export async function sha256Of(file: FileHandle): Promise<string> {
  await using handle = toNodeFileHandle(file);
  const hash = createHash("sha256");
  await pipeline(handle.createReadStream({ autoClose: false }), hash);
  return hash.digest("hex");
}

/** The file's lines (readline's split, without the line ends); the stream closes the handle at its end. */
export async function linesOf(file: FileHandle): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of toNodeFileHandle(file).readLines()) lines.push(line);
  return lines;
}
