/** What a backend hands the conformance suite: targets over given bytes, and runtimes. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileHandle, RandomAccess, Runtime } from "@pktio/core";

export interface Subject {
  /**
   * Opens a fresh target that holds exactly `initial` (a file written with it, a store, …).
   * Derived from `openRuntime` when absent: a temp file opened for reading and writing.
   */
  open?(initial: Uint8Array): Promise<RandomAccess> | RandomAccess;
  /** Releases one target made by `open` (closes the file, removes it). */
  release?(target: RandomAccess): Promise<void> | void;
  /** Opens a new runtime of this backend; needed for the file-system, network and lifecycle scenarios. */
  openRuntime?(): Promise<Runtime> | Runtime;
  /** Releases the subject itself after the suite. */
  close?(): Promise<void> | void;
}

export type SubjectFactory = () => Subject | Promise<Subject>;

/** `open`/`release` over temp files of a runtime, for subjects that only give `openRuntime`. */
export function fileTargets(runtime: Runtime): Required<Pick<Subject, "open" | "release" | "close">> {
  const dir = mkdtempSync(join(tmpdir(), "pktio-conformance-"));
  let next = 0;
  return {
    async open(initial) {
      const path = join(dir, `target-${next++}.bin`);
      writeFileSync(path, initial);
      return runtime.fs.open(path, { read: true, write: true });
    },
    async release(target) {
      await (target as FileHandle).close();
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` `count` times: one after another ("seq") or all at once ("con"). */
export async function repeat(mode: "seq" | "con", count: number, body: (index: number) => Promise<void>): Promise<void> {
  if (mode === "seq") {
    for (let i = 0; i < count; i++) await body(i);
    return;
  }
  await Promise.all(Array.from({ length: count }, (_, i) => body(i)));
}
