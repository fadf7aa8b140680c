/**
 * Many requests in flight from one program, written once for both runners: `joinIo` yields
 * several requests at once, `joinPrograms` runs several programs side by side. Both run the same
 * under `runIo` (all in flight on the loop) and `runIoSync` (all submitted, then one block).
 */
import { IoJoin, type IoProgram, type IoRequest, type IoStep } from "./IoProgram.js";
import type { PacketResult } from "./PacketOutput.js";

/**
 * Sends every request at once and returns their results in the same order, each with its own
 * error (a join never throws for an I/O error; the program decides). `yield* joinIo([...])`.
 */
export function* joinIo(requests: readonly IoRequest[]): IoProgram<PacketResult[]> {
  const join = new IoJoin([...requests]);
  if (join.requests.length === 0) return [];
  // The runners answer a join with the array of its results (IoProgram's next type is one result).
  return (yield join) as unknown as PacketResult[];
}

/** The value a program returns. */
export type ProgramValue<P> = P extends IoProgram<infer T> ? T : never;

/** Where one program's part of a combined step sits in the joined requests. */
interface Part {
  readonly program: number;
  readonly start: number;
  /** Undefined for a single request, else the length of that program's own join. */
  readonly joined: number | undefined;
}

/**
 * Runs `programs` side by side and returns their values in order. In each round every program
 * that is still running contributes its next step, and all those requests go out as one join;
 * each program resumes with its own results. A program that throws stops the others (their
 * `finally` blocks run) and the error reaches the caller. Programs advance in lock step: one
 * whose request settled early waits for the round's slowest request.
 */
export function* joinPrograms<const Programs extends readonly IoProgram<unknown>[]>(programs: Programs): IoProgram<{ -readonly [K in keyof Programs]: ProgramValue<Programs[K]> }> {
  if (!Array.isArray(programs)) throw new TypeError("programs must be an array of IoProgram");
  const values: unknown[] = new Array<unknown>(programs.length);
  const pending: (IoStep | undefined)[] = new Array<IoStep | undefined>(programs.length);
  let finished = false;
  const resume = (index: number, reply: PacketResult | PacketResult[] | undefined): void => {
    const program = programs[index] as IoProgram<unknown>;
    const step = reply === undefined ? program.next() : program.next(reply as PacketResult);
    if (step.done === true) {
      values[index] = step.value;
      pending[index] = undefined;
    } else {
      pending[index] = step.value;
    }
  };
  try {
    for (let index = 0; index < programs.length; index++) resume(index, undefined);
    for (;;) {
      const requests: IoRequest[] = [];
      const parts: Part[] = [];
      pending.forEach((step, program) => {
        if (step === undefined) return;
        if (step instanceof IoJoin) {
          parts.push({ program, start: requests.length, joined: step.requests.length });
          requests.push(...step.requests);
        } else {
          parts.push({ program, start: requests.length, joined: undefined });
          requests.push(step);
        }
      });
      if (parts.length === 0) break;
      const results = requests.length === 0 ? [] : ((yield new IoJoin(requests)) as unknown as PacketResult[]);
      for (const { program, start, joined } of parts) {
        resume(program, joined === undefined ? (results[start] as PacketResult) : results.slice(start, start + joined));
      }
    }
    finished = true;
    return values as { -readonly [K in keyof Programs]: ProgramValue<Programs[K]> };
  } finally {
    // On a throw (from a program, or into this one), the programs still running are closed.
    if (!finished) for (let index = 0; index < programs.length; index++) if (pending[index] !== undefined) programs[index]?.return(undefined);
  }
}
