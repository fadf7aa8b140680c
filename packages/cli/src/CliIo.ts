/** Where a command writes: the process's streams, or a test's. */
import type { Writable } from "node:stream";

export interface CliIo {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
}

/** Writes and waits until the stream has taken the text (so exit codes follow the output). */
export function print(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}
