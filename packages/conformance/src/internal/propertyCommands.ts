/**
 * The vocabulary of the property test: commands a run executes in order, and fast-check
 * arbitraries that generate (and shrink) them. Positions and lengths are raw numbers; the
 * runner interprets them against its model, so a shrunk sequence still means something.
 */
import fc from "fast-check";

/** How an operation is cancelled: not at all, before submission, after it (when), or by a deadline. */
export type Cancel =
  | { readonly kind: "none" }
  | { readonly kind: "abortBefore" }
  | { readonly kind: "abortAfter"; readonly when: "now" | "microtask" | "macrotask" | "later" }
  | { readonly kind: "deadline"; readonly ms: number };

/**
 * How a transfer is issued: `io` (a packet with a watched output), `helper` (readAt / readExactAt
 * / writeAllAt), `sync` (readAtSync / writeAllAtSync: the DirectSync path), `syncPacket` (ioSync).
 */
export type Via = "io" | "helper" | "sync" | "syncPacket";

export interface Piece {
  readonly file: number;
  readonly pos: number;
  readonly length: number;
}

export type Command =
  | { readonly kind: "transfer"; readonly write: boolean; readonly file: number; readonly pos: number; readonly length: number; readonly via: Via; readonly cancel: Cancel; readonly stale: boolean }
  /** One packet split into pieces, each sent to its own file and position; `order[i]` ranks piece i's sending. */
  | { readonly kind: "split"; readonly write: boolean; readonly pieces: readonly Piece[]; readonly order: readonly number[]; readonly cancel: Cancel }
  /** `count` transfers of `length` bytes `stride` apart, all in flight, sharing one signal or deadline. */
  | { readonly kind: "burst"; readonly write: boolean; readonly file: number; readonly pos: number; readonly count: number; readonly length: number; readonly stride: number; readonly cancel: Cancel }
  | { readonly kind: "truncate"; readonly file: number; readonly length: number; readonly sync: boolean }
  /** Fires the controller of the `back`-th latest operation whose abort was left for later. */
  | { readonly kind: "abort"; readonly back: number }
  | { readonly kind: "wait"; readonly what: "all" | "oldest" | "microtask" | "macrotask" }
  | { readonly kind: "closeFile"; readonly file: number; readonly sync: boolean }
  /** Closes the runtime; `racingOpen` starts an open of that file in the same tick, just before. */
  | { readonly kind: "closeRuntime"; readonly racingOpen: number | null }
  /** Opens a file in the background, racing whatever comes next (a runtime close, say). */
  | { readonly kind: "strayOpen"; readonly file: number };

/** What a run starts from, and what it does. */
export interface Program {
  readonly initialSizes: readonly number[];
  readonly commands: readonly Command[];
}

export const FILES = 3;
/** Positions stay within this, so that runs overlap each other's ranges often. */
const SPACE = 192 * 1024;
/** Above the threaded backend's 128 KiB bounce slot, so that some transfers are split by it too. */
const LARGE = 320 * 1024;

/** Which command kinds a backend runs; the rest are never generated. */
export interface Vocabulary {
  readonly sync: boolean;
  readonly closeFile: boolean;
  readonly closeRuntime: boolean;
  readonly strayOpen: boolean;
  readonly truncate: boolean;
}

const file = fc.integer({ min: 0, max: FILES - 1 });
// Mostly inside the files (initial sizes up to 96 KiB), sometimes past their ends.
const pos = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 64 * 1024 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: SPACE }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 4096, 65_536, 131_072) },
);
const length = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 8192 }) }, { weight: 1, arbitrary: fc.integer({ min: 8193, max: LARGE }) });

const cancel: fc.Arbitrary<Cancel> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: "none" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "abortBefore" } as const) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("abortAfter" as const), when: fc.constantFrom("now" as const, "microtask" as const, "macrotask" as const, "later" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("deadline" as const), ms: fc.constantFrom(1, 2, 10, 5_000) }) },
);

function commandOf(vocabulary: Vocabulary): fc.Arbitrary<Command> {
  const vias: Via[] = vocabulary.sync ? ["io", "io", "helper", "sync", "syncPacket"] : ["io", "io", "helper"];
  const transfer = fc.record({
    kind: fc.constant("transfer" as const),
    write: fc.boolean(),
    file,
    pos,
    length,
    via: fc.constantFrom(...vias),
    cancel,
    stale: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
  const split = fc.record({
    kind: fc.constant("split" as const),
    write: fc.boolean(),
    pieces: fc.array(fc.record({ file, pos, length: fc.integer({ min: 1, max: 24 * 1024 }) }), { minLength: 2, maxLength: 6 }),
    order: fc.array(fc.nat({ max: 5 }), { maxLength: 6 }),
    cancel,
  });
  const burst = fc.record({
    kind: fc.constant("burst" as const),
    write: fc.boolean(),
    file,
    pos,
    count: fc.integer({ min: 2, max: 96 }),
    length: fc.integer({ min: 1, max: 4096 }),
    stride: fc.integer({ min: 0, max: 8192 }),
    cancel,
  });
  const weighted: fc.WeightedArbitrary<Command>[] = [
    { weight: 10, arbitrary: transfer },
    { weight: 3, arbitrary: split },
    { weight: 2, arbitrary: burst },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("abort" as const), back: fc.nat({ max: 7 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("wait" as const), what: fc.constantFrom("all" as const, "oldest" as const, "microtask" as const, "macrotask" as const) }) },
  ];
  if (vocabulary.truncate) weighted.push({ weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), file, length: fc.integer({ min: 0, max: SPACE }), sync: vocabulary.sync ? fc.boolean() : fc.constant(false) }) });
  if (vocabulary.closeFile) weighted.push({ weight: 2, arbitrary: fc.record({ kind: fc.constant("closeFile" as const), file, sync: vocabulary.sync ? fc.boolean() : fc.constant(false) }) });
  if (vocabulary.closeRuntime) {
    const racingOpen = vocabulary.strayOpen ? fc.option(file, { nil: null }) : fc.constant(null);
    weighted.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant("closeRuntime" as const), racingOpen }) });
  }
  if (vocabulary.strayOpen) weighted.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant("strayOpen" as const), file }) });
  return fc.oneof(...weighted);
}

/** Programs of up to `maxCommands` commands over FILES files of random initial sizes. */
export function programOf(vocabulary: Vocabulary, maxCommands: number): fc.Arbitrary<Program> {
  return fc.record({
    initialSizes: fc.array(fc.integer({ min: 0, max: 96 * 1024 }), { minLength: FILES, maxLength: FILES }),
    // "max": programs use their whole length from the first run, not only after fast-check's ramp.
    commands: fc.array(commandOf(vocabulary), { minLength: 1, maxLength: maxCommands, size: "max" }),
  });
}
