/** Where a command writes: the process's streams, or a test's. */
import type { Writable } from "node:stream";

export interface CliIo {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  /**
   * Told when a command meets a failure it goes on past (a FILE of cat or stat): the executable
   * makes the exit status 1 at once, so that a reader that goes away afterwards (EPIPE, which
   * ends the process) does not turn it into 0.
   */
  readonly noteFailure?: () => void;
}

/** Writes and waits until the stream has taken the text (so exit codes follow the output). */
export function print(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}
