/**
 * What the bench says while it runs, on stderr (stdout is for the table or the JSON): on a
 * terminal a spinner with the running job and its elapsed time, redrawn in place; otherwise
 * plain lines, one when a job starts and one when it ends.
 */
import type { Writable } from "node:stream";

const FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

export class Progress {
  readonly #stream: Writable;
  readonly #tty: boolean;
  #timer: NodeJS.Timeout | undefined = undefined;

  constructor(stream: Writable & { readonly isTTY?: boolean }) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
  }

  /** A line of its own ("generating the file…"). */
  note(text: string): void {
    this.#clear();
    this.#stream.write(`pktio bench: ${text}\n`);
  }

  /** A job starts; `expectedMs` is about how long it will take. */
  start(label: string, expectedMs: number): void {
    this.#clear();
    if (!this.#tty) {
      this.#stream.write(`pktio bench: ${label} …\n`);
      return;
    }
    const began = performance.now();
    let frame = 0;
    const draw = (): void => {
      const elapsed = (performance.now() - began) / 1000;
      this.#stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}  ${elapsed.toFixed(1)} s / ~${(expectedMs / 1000).toFixed(1)} s`);
    };
    draw();
    this.#timer = setInterval(draw, 100);
    this.#timer.unref();
  }

  /** The running job ended with `summary`. */
  end(label: string, summary: string): void {
    this.#clear();
    this.#stream.write(`pktio bench: ${label}: ${summary}\n`);
  }

  #clear(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    if (this.#tty) this.#stream.write("\r\x1b[2K");
  }
}
