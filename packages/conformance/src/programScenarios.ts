/**
 * Joined programs (design.md §7): a program that yields N requests at once gets N results in
 * request order — bytes, counts and each one's own error — under `runIo` and `runIoSync` alike,
 * and programs joined side by side (cursor program forms) return what they return alone.
 */
import { Cursor, joinIo, joinPrograms, Packet, readNumberAtProgram, request, runIo, runIoSync, Write, type IoProgram, type PacketResult, type RandomAccess } from "@pktio/core";
import { expect } from "vitest";
import { equalBytes } from "./packetScenarios.js";
import { Rng } from "./rng.js";

/** How a scenario runs its program: on the loop or on the calling thread. */
export type Runner = <T>(program: IoProgram<T>) => T | Promise<T>;

export type ProgramScenario = (target: RandomAccess, reference: Uint8Array, run: Runner) => Promise<void>;

export const runners: Record<"async" | "sync", Runner> = {
  async: (program) => runIo(program),
  sync: (program) => runIoSync(program),
};

type Planned = { kind: "read"; pos: number; length: number } | { kind: "pastEnd"; pos: number; length: number } | { kind: "aborted"; pos: number; length: number };

function plan(rng: Rng, size: number, count: number): Planned[] {
  return Array.from({ length: count }, (_, index): Planned => {
    const length = rng.int(1, 16 * 1024);
    if (index % 7 === 3) return { kind: "pastEnd", pos: size + rng.int(0, 4096), length };
    if (index % 11 === 5) return { kind: "aborted", pos: rng.int(0, size - length), length };
    return { kind: "read", pos: rng.int(0, size - length), length };
  });
}

export const programScenarios: Record<string, ProgramScenario> = {
  async "a program that yields N requests at once gets N results in order, errors in some"(target, reference, run) {
    const planned = plan(new Rng(0x5eed0101), reference.byteLength, 64);
    const buffers = planned.map(({ length }) => new Uint8Array(length).fill(0xee));
    const aborted = AbortSignal.abort();
    function* program(): IoProgram<PacketResult[]> {
      return yield* joinIo(
        planned.map((step, index) => request(target, step.pos, Packet.wrap(buffers[index] as Uint8Array, Write), step.kind === "aborted" ? { signal: aborted } : undefined)),
      );
    }
    const results = await run(program());
    expect(results).toHaveLength(planned.length);
    planned.forEach((step, index) => {
      const result = results[index] as PacketResult;
      const bytes = buffers[index] as Uint8Array;
      if (step.kind === "read") {
        expect(result.error, `request ${index}`).toBeUndefined();
        expect(result.transferred).toBe(step.length);
        expect(equalBytes(bytes, reference.subarray(step.pos, step.pos + step.length)), `bytes of request ${index}`).toBe(true);
      } else if (step.kind === "pastEnd") {
        expect(result.transferred, `request ${index}`).toBe(0);
        expect(result.error?.kind, `request ${index}`).toMatch(/^(UnexpectedEof|Outside)$/);
      } else {
        expect(result.transferred, `request ${index}`).toBe(0);
        expect(result.error?.kind, `request ${index}`).toBe("Aborted");
      }
    });
  },

  async "joined cursor programs return what each returns alone, and move their cursors"(target, reference, run) {
    const view = new DataView(reference.buffer, reference.byteOffset, reference.byteLength);
    const starts = [0, 4096, 65_536, reference.byteLength - 64, 12_345];
    /** Reads a u32le, a u16be, then 32 bytes: three requests in a row. */
    function* parse(cursor: Cursor): IoProgram<[number, number, Uint8Array]> {
      const word = yield* cursor.readNumberProgram("u32le");
      const half = yield* cursor.readNumberProgram("u16be");
      const tail = new Uint8Array(32);
      yield* cursor.readExactProgram(tail);
      return [word, half, tail];
    }
    const cursors = starts.map((start) => new Cursor(target, start));
    const values = await run(joinPrograms(cursors.map(parse)));
    starts.forEach((start, index) => {
      const [word, half, tail] = values[index] as [number, number, Uint8Array];
      expect(word).toBe(view.getUint32(start, true));
      expect(half).toBe(view.getUint16(start + 4, false));
      expect(equalBytes(tail, reference.subarray(start + 6, start + 38))).toBe(true);
      expect(cursors[index]?.position).toBe(start + 38);
    });
    // A program of the join that fails (a u64 past the end) fails the whole join with its error.
    const failing = joinPrograms([parse(new Cursor(target, 0)), readNumberAtProgram(target, reference.byteLength - 2, "u64le")]);
    await expect(Promise.resolve().then(() => run(failing))).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
  },
};
