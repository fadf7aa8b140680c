/**
 * A position over a random-access target: reads and writes advance it, `seek` moves it.
 * Each method has a `*Sync` twin that blocks through the target's backend.
 */
import { runIo, type IoProgram } from "./IoProgram.js";
import { checkPos } from "./internal/validate.js";
import { readNumberAtProgram, readNumberAtSync, sizeOfNumber, writeNumberAtProgram, writeNumberAtSync, type NumberType, type NumberValue } from "./numbers.js";
import type { Pos } from "./PacketIo.js";
import { readAtProgram, readAtSync, readExactAtProgram, readExactAtSync, writeAllAtProgram, writeAllAtSync, type ReadTarget, type WriteTarget } from "./readWrite.js";

/** A target that serves both directions, such as a file handle or a MemoryIo. */
export type RandomAccess = ReadTarget & WriteTarget;

/**
 * A position over a target. The `*Sync` methods take the helpers' fast paths (DirectSync where
 * the target has it); the `*Program` forms compose into larger programs.
 */
export class Cursor {
  readonly target: RandomAccess;
  #position: number;

  constructor(target: RandomAccess, position: Pos = 0) {
    this.target = target;
    this.#position = checkPos(position, "position", "Cursor");
  }

  get position(): number {
    return this.#position;
  }

  /** Moves to an absolute position. */
  seek(position: Pos): number {
    this.#position = checkPos(position, "position", "seek");
    return this.#position;
  }

  /** Moves by `delta` bytes (negative moves back, never before 0). */
  skip(delta: number): number {
    return this.seek(this.#position + delta);
  }

  /** Reads up to `dst.length` bytes here and advances by the count read. */
  read(dst: Uint8Array): Promise<number> {
    return runIo(this.readProgram(dst));
  }
  readSync(dst: Uint8Array): number {
    const count = readAtSync(this.target, this.#position, dst);
    this.#position += count;
    return count;
  }
  /** Fills `dst` from here (kind UnexpectedEof if the data ends first) and advances past it. */
  readExact(dst: Uint8Array): Promise<void> {
    return runIo(this.readExactProgram(dst));
  }
  readExactSync(dst: Uint8Array): void {
    readExactAtSync(this.target, this.#position, dst);
    this.#position += dst.byteLength;
  }
  /** Writes all of `src` here and advances past it. */
  writeAll(src: Uint8Array): Promise<void> {
    return runIo(this.writeAllProgram(src));
  }
  writeAllSync(src: Uint8Array): void {
    writeAllAtSync(this.target, this.#position, src);
    this.#position += src.byteLength;
  }
  /** Reads one number here and advances past it. */
  readNumber<T extends NumberType>(type: T): Promise<NumberValue<T>> {
    return runIo(this.readNumberProgram(type));
  }
  readNumberSync<T extends NumberType>(type: T): NumberValue<T> {
    const value = readNumberAtSync(this.target, this.#position, type);
    this.#position += sizeOfNumber(type);
    return value;
  }
  /** Writes one number here and advances past it. */
  writeNumber<T extends NumberType>(type: T, value: NumberValue<T>): Promise<void> {
    return runIo(this.writeNumberProgram(type, value));
  }
  writeNumberSync<T extends NumberType>(type: T, value: NumberValue<T>): void {
    writeNumberAtSync(this.target, this.#position, type, value);
    this.#position += sizeOfNumber(type);
  }

  // Program forms: a cursor-based parser written as an IoProgram runs both ways (runIo, runIoSync)
  // and can join with other programs (`all`). The position is taken when the program starts and
  // moves when its I/O completes, as the methods above do.

  /** `read` as a program. */
  *readProgram(dst: Uint8Array): IoProgram<number> {
    const count = yield* readAtProgram(this.target, this.#position, dst);
    this.#position += count;
    return count;
  }
  /** `readExact` as a program. */
  *readExactProgram(dst: Uint8Array): IoProgram<void> {
    yield* readExactAtProgram(this.target, this.#position, dst);
    this.#position += dst.byteLength;
  }
  /** `writeAll` as a program. */
  *writeAllProgram(src: Uint8Array): IoProgram<void> {
    yield* writeAllAtProgram(this.target, this.#position, src);
    this.#position += src.byteLength;
  }
  /** `readNumber` as a program. */
  *readNumberProgram<T extends NumberType>(type: T): IoProgram<NumberValue<T>> {
    const value = yield* readNumberAtProgram(this.target, this.#position, type);
    this.#position += sizeOfNumber(type);
    return value;
  }
  /** `writeNumber` as a program. */
  *writeNumberProgram<T extends NumberType>(type: T, value: NumberValue<T>): IoProgram<void> {
    yield* writeNumberAtProgram(this.target, this.#position, type, value);
    this.#position += sizeOfNumber(type);
  }
}
