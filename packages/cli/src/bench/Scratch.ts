/**
 * The bench's scratch directory (the generated file and the copy write jobs write to). It is
 * removed when the run ends, on Ctrl-C or SIGTERM (after stopping the job running then), and at
 * exit as a last resort, so an interrupted bench leaves nothing behind.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export class Scratch {
  readonly path: string;
  /** The child process running now (a worker or fio), stopped if the bench is interrupted. */
  child: ChildProcess | undefined = undefined;
  readonly #onSignal = (signal: keyof typeof SIGNAL_EXIT): void => {
    this.child?.kill("SIGTERM");
    this.dispose();
    process.exit(SIGNAL_EXIT[signal]);
  };
  readonly #onExit = (): void => this.dispose();

  constructor(prefix = "pktio-bench-") {
    this.path = mkdtempSync(join(tmpdir(), prefix));
    for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) process.on(signal, this.#onSignal);
    process.on("exit", this.#onExit);
  }

  /** Removes the directory and the handlers. Idempotent. */
  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
    for (const signal of Object.keys(SIGNAL_EXIT)) process.off(signal, this.#onSignal);
    process.off("exit", this.#onExit);
  }
}
