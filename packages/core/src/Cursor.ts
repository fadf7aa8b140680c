/**
 * A position over a random-access target: reads and writes advance it, `seek` moves it.
 * Each method has a `*Sync` twin that blocks through the target's backend.
 */
import { IoError } from "./IoError.js";
import { runIo, type IoProgram } from "./IoProgram.js";
import { checkPos } from "./internal/validate.js";
import { readNumberAtProgram, readNumberAtSync, sizeOfNumber, writeNumberAtProgram, writeNumberAtSync, type NumberType, type NumberValue } from "./numbers.js";
import type { IoOptions } from "./IoOptions.js";
import type { Pos } from "./PacketIo.js";
import { readAtProgram, readAtSync, readExactAtProgram, readExactAtSync, writeAllAtProgram, writeAllAtSync, type ReadTarget, type WriteTarget } from "./readWrite.js";

/** A target that serves both directions, such as a file handle or a MemoryIo. */
export type RandomAccess = ReadTarget & WriteTarget;

/**
 * A position over a target. The `*Sync` methods take the helpers' fast paths (DirectSync where
 * the target has it); the `*Program` forms compose into larger programs.
 *
 * One call at a time: the position is taken when a call starts and moved when its I/O
 * completes, so two calls in flight at once would both use the same position (two writes would
 * overwrite each other). A method called while an async one is still running fails with kind
 * Busy instead; await each call, or use positional `readAt`/`writeAt` for concurrent I/O.
 *
 * Every I/O method takes the helpers' `IoOptions`: `timeoutMs` or a `signal` settles a call that
 * would never finish (a stuck device, a remote file whose server stopped answering) with kind
 * TimedOut or Aborted, which frees the cursor; a failed call leaves the position where it was.
 * Its I/O may still be in flight then and its buffer belongs to the I/O system until released
 * (design.md §7: `whenReleased`).
 */
export class Cursor {
  readonly target: RandomAccess;
  #position: number;
  /** The name of the async call in flight, if any. */
  #running: string | undefined = undefined;

  constructor(target: RandomAccess, position: Pos = 0) {
    this.target = target;
    this.#position = checkPos(position, "position", "Cursor");
  }

  get position(): number {
    return this.#position;
  }

  /** Moves to an absolute position. */
  seek(position: Pos): number {
    this.#idle("seek");
    this.#position = checkPos(position, "position", "seek");
    return this.#position;
  }

  /** Moves by `delta` bytes, a number or bigint; negative moves back, and a move before 0 fails InvalidInput. */
  skip(delta: number | bigint): number {
    this.#idle("skip");
    const step = typeof delta === "bigint" ? Number(delta) : delta;
    if (typeof step !== "number" || !Number.isSafeInteger(step) || (typeof delta === "bigint" && BigInt(step) !== delta)) {
      throw new IoError("InvalidInput", `skip: delta must be a safe integer (number or bigint), got ${typeof delta === "bigint" ? `${delta}n` : String(delta)}`, { op: "skip" });
    }
    return this.seek(this.#position + step);
  }

  /** Reads up to `dst.length` bytes here and advances by the count read. */
  read(dst: Uint8Array, options?: IoOptions): Promise<number> {
    return this.#run("read", () => this.readProgram(dst, options));
  }
  /** `read` that blocks the thread. */
  readSync(dst: Uint8Array, options?: IoOptions): number {
    this.#idle("readSync");
    const count = readAtSync(this.target, this.#position, dst, options);
    this.#position += count;
    return count;
  }
  /** Fills `dst` from here (kind UnexpectedEof if the data ends first) and advances past it. */
  readExact(dst: Uint8Array, options?: IoOptions): Promise<void> {
    return this.#run("readExact", () => this.readExactProgram(dst, options));
  }
  /** `readExact` that blocks the thread. */
  readExactSync(dst: Uint8Array, options?: IoOptions): void {
    this.#idle("readExactSync");
    readExactAtSync(this.target, this.#position, dst, options);
    this.#position += dst.byteLength;
  }
  /** Writes all of `src` here and advances past it. */
  writeAll(src: Uint8Array, options?: IoOptions): Promise<void> {
    return this.#run("writeAll", () => this.writeAllProgram(src, options));
  }
  /** `writeAll` that blocks the thread. */
  writeAllSync(src: Uint8Array, options?: IoOptions): void {
    this.#idle("writeAllSync");
    writeAllAtSync(this.target, this.#position, src, options);
    this.#position += src.byteLength;
  }
  /** Reads one number here and advances past it. */
  readNumber<T extends NumberType>(type: T, options?: IoOptions): Promise<NumberValue<T>> {
    return this.#run("readNumber", () => this.readNumberProgram(type, options));
  }
  /** `readNumber` that blocks the thread. */
  readNumberSync<T extends NumberType>(type: T, options?: IoOptions): NumberValue<T> {
    this.#idle("readNumberSync");
    const value = readNumberAtSync(this.target, this.#position, type, options);
    this.#position += sizeOfNumber(type);
    return value;
  }
  /** Writes one number here and advances past it. */
  writeNumber<T extends NumberType>(type: T, value: NumberValue<T>, options?: IoOptions): Promise<void> {
    return this.#run("writeNumber", () => this.writeNumberProgram(type, value, options));
  }
  /** `writeNumber` that blocks the thread. */
  writeNumberSync<T extends NumberType>(type: T, value: NumberValue<T>, options?: IoOptions): void {
    this.#idle("writeNumberSync");
    writeNumberAtSync(this.target, this.#position, type, value, options);
    this.#position += sizeOfNumber(type);
  }

  /** Runs one async call, refused (kind Busy) while another is in flight. */
  #run<T>(op: string, program: () => IoProgram<T>): Promise<T> {
    try {
      this.#idle(op);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#running = op;
    const done = (): void => {
      this.#running = undefined;
    };
    let running: Promise<T>;
    try {
      running = runIo(program());
    } catch (error) {
      done();
      return Promise.reject(error);
    }
    running.then(done, done);
    return running;
  }

  #idle(op: string): void {
    if (this.#running !== undefined) {
      throw new IoError("Busy", `cursor.${op}: the cursor's ${this.#running} has not settled; a cursor serves one call at a time (await it, bound it with timeoutMs or a signal, or use readAt/writeAt at explicit positions for concurrent I/O)`, { op });
    }
  }

  // Program forms: a cursor-based parser written as an IoProgram runs both ways (runIo, runIoSync)
  // and can join with other programs (`all`). The position is taken when the program starts and
  // moves when its I/O completes, as the methods above do.

  /** `read` as a program. */
  *readProgram(dst: Uint8Array, options?: IoOptions): IoProgram<number> {
    const count = yield* readAtProgram(this.target, this.#position, dst, options);
    this.#position += count;
    return count;
  }
  /** `readExact` as a program. */
  *readExactProgram(dst: Uint8Array, options?: IoOptions): IoProgram<void> {
    yield* readExactAtProgram(this.target, this.#position, dst, options);
    this.#position += dst.byteLength;
  }
  /** `writeAll` as a program. */
  *writeAllProgram(src: Uint8Array, options?: IoOptions): IoProgram<void> {
    yield* writeAllAtProgram(this.target, this.#position, src, options);
    this.#position += src.byteLength;
  }
  /** `readNumber` as a program. */
  *readNumberProgram<T extends NumberType>(type: T, options?: IoOptions): IoProgram<NumberValue<T>> {
    const value = yield* readNumberAtProgram(this.target, this.#position, type, options);
    this.#position += sizeOfNumber(type);
    return value;
  }
  /** `writeNumber` as a program. */
  *writeNumberProgram<T extends NumberType>(type: T, value: NumberValue<T>, options?: IoOptions): IoProgram<void> {
    yield* writeNumberAtProgram(this.target, this.#position, type, value, options);
    this.#position += sizeOfNumber(type);
  }
}
