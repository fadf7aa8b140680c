/**
 * A position over a random-access target: reads and writes advance it, `seek` moves it.
 * Each method has a `*Sync` twin that blocks through the target's backend.
 */
import { runIo, runIoSync, type IoProgram } from "./IoProgram.js";
import { checkPos } from "./internal/validate.js";
import { readNumberAtProgram, writeNumberAtProgram, type NumberType, type NumberValue } from "./numbers.js";
import type { Pos } from "./PacketIo.js";
import { readAtProgram, readExactAtProgram, writeAllAtProgram, type ReadTarget, type WriteTarget } from "./readWrite.js";

/** A target that serves both directions, such as a file handle or a MemoryIo. */
export type RandomAccess = ReadTarget & WriteTarget;

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

  read(dst: Uint8Array): Promise<number> {
    return runIo(this.#advance(readAtProgram(this.target, this.#position, dst), (count) => count));
  }
  readSync(dst: Uint8Array): number {
    return runIoSync(this.#advance(readAtProgram(this.target, this.#position, dst), (count) => count));
  }
  readExact(dst: Uint8Array): Promise<void> {
    return runIo(this.#advance(readExactAtProgram(this.target, this.#position, dst), () => dst.byteLength));
  }
  readExactSync(dst: Uint8Array): void {
    runIoSync(this.#advance(readExactAtProgram(this.target, this.#position, dst), () => dst.byteLength));
  }
  writeAll(src: Uint8Array): Promise<void> {
    return runIo(this.#advance(writeAllAtProgram(this.target, this.#position, src), () => src.byteLength));
  }
  writeAllSync(src: Uint8Array): void {
    runIoSync(this.#advance(writeAllAtProgram(this.target, this.#position, src), () => src.byteLength));
  }
  readNumber<T extends NumberType>(type: T): Promise<NumberValue<T>> {
    return runIo(this.#advanceNumber(readNumberAtProgram(this.target, this.#position, type), type));
  }
  readNumberSync<T extends NumberType>(type: T): NumberValue<T> {
    return runIoSync(this.#advanceNumber(readNumberAtProgram(this.target, this.#position, type), type));
  }
  writeNumber<T extends NumberType>(type: T, value: NumberValue<T>): Promise<void> {
    return runIo(this.#advanceNumber(writeNumberAtProgram(this.target, this.#position, type, value), type));
  }
  writeNumberSync<T extends NumberType>(type: T, value: NumberValue<T>): void {
    runIoSync(this.#advanceNumber(writeNumberAtProgram(this.target, this.#position, type, value), type));
  }

  /** Runs `program` and then advances by the count `advanceBy` derives from its value. */
  *#advance<T>(program: IoProgram<T>, advanceBy: (value: T) => number): IoProgram<T> {
    const value = yield* program;
    this.#position += advanceBy(value);
    return value;
  }

  *#advanceNumber<T>(program: IoProgram<T>, type: NumberType): IoProgram<T> {
    const value = yield* program;
    this.#position += type === "u8" || type === "i8" ? 1 : Number(/\d+/.exec(type)?.[0]) / 8;
    return value;
  }
}
