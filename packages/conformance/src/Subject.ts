/** What a backend hands the conformance suite: a way to open random-access targets over given bytes. */
import type { RandomAccess } from "@pktio/core";

export interface Subject {
  /** Opens a fresh target that holds exactly `initial` (a file written with it, a store, …). */
  open(initial: Uint8Array): Promise<RandomAccess> | RandomAccess;
  /** Releases one target made by `open` (closes the file, removes it). */
  release?(target: RandomAccess): Promise<void> | void;
  /** Releases the subject itself after the suite. */
  close?(): Promise<void> | void;
}

export type SubjectFactory = () => Subject | Promise<Subject>;

/** Runs `body` `count` times: one after another ("seq") or all at once ("con"). */
export async function repeat(mode: "seq" | "con", count: number, body: (index: number) => Promise<void>): Promise<void> {
  if (mode === "seq") {
    for (let i = 0; i < count; i++) await body(i);
    return;
  }
  await Promise.all(Array.from({ length: count }, (_, i) => body(i)));
}
