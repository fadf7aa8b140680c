/** A seeded pseudo-random file in a fresh temp dir: what every server test serves and compares with. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The fixture: its directory, file name, path and bytes. */
export interface Fixture {
  readonly dir: string;
  readonly name: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  remove(): void;
}

/** Deterministic bytes (xorshift32 from `seed`). */
export function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/** Writes `length` seeded bytes to `<tmp>/data.bin`. */
export function makeFixture(length: number, seed = 0x5eed): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "pktio-netfs-"));
  const name = "data.bin";
  const path = join(dir, name);
  const bytes = seededBytes(length, seed);
  writeFileSync(path, bytes);
  return { dir, name, path, bytes, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
