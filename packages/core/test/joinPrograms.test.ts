/** Joined programs: many requests in flight from one program, the same under runIo and runIoSync. */
import { describe, expect, it } from "vitest";
import {
  Cursor,
  IoError,
  joinIo,
  joinPrograms,
  MemoryIo,
  Packet,
  readExactAtProgram,
  readNumberAtProgram,
  request,
  runIo,
  runIoSync,
  Write,
  type AnyView,
  type IoBackend,
  type IoProgram,
  type PacketIo,
  type PollingHandle,
  type Pos,
} from "../src/index.js";

/**
 * A target that holds every view it receives until released, in front of a MemoryIo: the number
 * it holds when the runner waits is the number the runner put in flight at once.
 */
class Gate implements PacketIo<Write, Pos>, IoBackend {
  readonly name = "gate";
  readonly mem: MemoryIo;
  readonly held: { pos: Pos; view: AnyView }[] = [];
  /** How many views were held each time the sync runner blocked. */
  readonly heldAtBlock: number[] = [];
  /** Once set, views go straight through (async tests hold only the first round). */
  passThrough = false;
  constructor(bytes: Uint8Array) {
    this.mem = new MemoryIo(bytes);
  }
  get backend(): this {
    return this;
  }
  sendIo(pos: Pos, view: AnyView): void {
    if (this.passThrough) return this.mem.sendIo(pos, view as never);
    this.held.push({ pos, view });
  }
  release(): void {
    for (const { pos, view } of this.held.splice(0)) this.mem.sendIo(pos, view as never);
  }
  pollingHandle(): PollingHandle | null {
    return null;
  }
  blockOn(isDone: () => boolean): void {
    this.heldAtBlock.push(this.held.length);
    this.release();
    this.mem.blockOn(isDone);
  }
  close(): Promise<void> {
    return this.mem.close();
  }
}

const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) & 0xff);
const view = new DataView(bytes.buffer);

/** Reads `count` u32le values at 100-byte strides, all at once. */
function* readStrided(target: PacketIo<Write, Pos>, count: number): IoProgram<number[]> {
  const buffers = Array.from({ length: count }, () => new Uint8Array(4));
  const results = yield* joinIo(buffers.map((buffer, i) => request(target, i * 100, Packet.wrap(buffer, Write))));
  return results.map((result, i) => {
    if (result.error !== undefined) throw result.error;
    return new DataView((buffers[i] as Uint8Array).buffer).getUint32(0, true);
  });
}

const expected = (count: number): number[] => Array.from({ length: count }, (_, i) => view.getUint32(i * 100, true));

describe("joinIo", () => {
  it("async: every request is in flight before any settles, and results come back in order", async () => {
    const gate = new Gate(bytes);
    const running = runIo(readStrided(gate, 16));
    expect(gate.held).toHaveLength(16);
    gate.release();
    expect(await running).toEqual(expected(16));
  });

  it("sync: every request is submitted before the runner blocks", () => {
    const gate = new Gate(bytes);
    expect(runIoSync(readStrided(gate, 16))).toEqual(expected(16));
    expect(gate.heldAtBlock).toEqual([16]);
  });

  it("each result carries its own error; the others succeed", async () => {
    function* mixed(target: MemoryIo): IoProgram<(string | number)[]> {
      const aborted = AbortSignal.abort();
      const buffers = Array.from({ length: 6 }, () => new Uint8Array(8));
      const results = yield* joinIo([
        request(target, 0, Packet.wrap(buffers[0] as Uint8Array, Write)),
        request(target, 10_000, Packet.wrap(buffers[1] as Uint8Array, Write)),
        request(target, 8, Packet.wrap(buffers[2] as Uint8Array, Write), { signal: aborted }),
        request(target, 16, Packet.wrap(buffers[3] as Uint8Array, Write)),
        request(target, 4092, Packet.wrap(buffers[4] as Uint8Array, Write)),
        request(target, 24, Packet.wrap(buffers[5] as Uint8Array, Write)),
      ]);
      return results.map((result) => result.error?.kind ?? result.transferred);
    }
    const want = [8, "UnexpectedEof", "Aborted", 8, "UnexpectedEof", 8];
    expect(await runIo(mixed(new MemoryIo(bytes)))).toEqual(want);
    expect(runIoSync(mixed(new MemoryIo(bytes)))).toEqual(want);
  });

  it("an empty join returns no results without yielding", () => {
    const program = joinIo([]);
    expect(program.next()).toEqual({ done: true, value: [] });
  });

  it("a packet that cannot be bound sends nothing and the runner throws Busy", async () => {
    const gate = new Gate(bytes);
    const packet = Packet.alloc(4, Write);
    function* twice(): IoProgram<unknown> {
      return yield* joinIo([request(gate, 0, packet), request(gate, 4, Packet.alloc(4, Write)), request(gate, 8, packet)]);
    }
    await expect(runIo(twice())).rejects.toThrow(expect.objectContaining({ kind: "Busy" }));
    expect(() => runIoSync(twice())).toThrow(expect.objectContaining({ kind: "Busy" }));
    expect(gate.held).toHaveLength(0);
    // The packet bound before the failure was released: it can be sent again.
    expect(packet.inFlight).toBe(false);
    expect(() => runIoSync(joinIo([{ target: {} as never, param: 0, packet }]))).toThrow(TypeError);
  });

  it("a target whose backend cannot block is Unsupported for runIoSync", () => {
    const blockless: PacketIo<Write, Pos> = { sendIo: (_pos, view) => view.fail(new IoError("Other", "never")) };
    expect(() => runIoSync(joinIo([request(blockless, 0, Packet.alloc(1, Write))]))).toThrow(expect.objectContaining({ kind: "Unsupported" }));
  });
});

describe("joinPrograms", () => {
  /** A two-step program: a length at `pos`, then that many bytes after it. */
  function* record(target: PacketIo<Write, Pos>, pos: number): IoProgram<number[]> {
    const length = (yield* readNumberAtProgram(target, pos, "u8")) % 8;
    const body = new Uint8Array(length);
    yield* readExactAtProgram(target, pos + 1, body);
    return Array.from(body);
  }
  const want = (pos: number): number[] => Array.from(bytes.subarray(pos + 1, pos + 1 + ((bytes[pos] as number) % 8)));

  it("runs programs side by side, a round of requests at a time, both ways", async () => {
    const gate = new Gate(bytes);
    const programs = (): IoProgram<number[]>[] => [0, 50, 300, 1000].map((pos) => record(gate, pos));
    const running = runIo(joinPrograms(programs()));
    expect(gate.held).toHaveLength(4);
    gate.passThrough = true;
    gate.release();
    const values = await running;
    gate.passThrough = false;
    expect(values).toEqual([0, 50, 300, 1000].map(want));
    expect(runIoSync(joinPrograms(programs()))).toEqual(values);
    // One block per round: the lengths, then the bodies (an empty body still sends a packet).
    expect(gate.heldAtBlock).toEqual([4, 4]);
  });

  it("flattens a program's own join into the round and mixes values of different types", () => {
    const mem = new MemoryIo(bytes);
    const [strided, single, nothing] = runIoSync(joinPrograms([readStrided(mem, 5), readNumberAtProgram(mem, 3, "u16be"), (function* (): IoProgram<string> { return "none"; })()]));
    // The values are typed per position (checked by tsc -b): number[], number, string.
    const typed: [number[], number, string] = [strided, single, nothing];
    expect(typed[0]).toEqual(expected(5));
    expect(strided).toEqual(expected(5));
    expect(single).toBe(view.getUint16(3, false));
    expect(nothing).toBe("none");
  });

  it("a program that throws stops the others, whose finally blocks run", async () => {
    const mem = new MemoryIo(bytes);
    const closed: string[] = [];
    function* guarded(name: string): IoProgram<number> {
      try {
        yield* readNumberAtProgram(mem, 0, "u32le");
        return yield* readNumberAtProgram(mem, 4, "u32le");
      } finally {
        closed.push(name);
      }
    }
    function* failing(): IoProgram<number> {
      return yield* readNumberAtProgram(mem, 4094, "u32le");
    }
    await expect(runIo(joinPrograms([guarded("a"), failing(), guarded("b")]))).rejects.toThrow(expect.objectContaining({ kind: "UnexpectedEof" }));
    expect(closed.sort()).toEqual(["a", "b"]);
  });

  it("cursor program forms compose: a parser written once runs both ways and moves the cursors", async () => {
    const mem = new MemoryIo(bytes);
    function* header(cursor: Cursor): IoProgram<[number, number, number[]]> {
      const magic = yield* cursor.readNumberProgram("u16le");
      const count = yield* cursor.readNumberProgram("u8");
      const body = new Uint8Array(3);
      yield* cursor.readExactProgram(body);
      return [magic, count, Array.from(body)];
    }
    const want: [number, number, number[]] = [view.getUint16(10, true), bytes[12] as number, Array.from(bytes.subarray(13, 16))];
    const asyncCursor = new Cursor(mem, 10);
    expect(await runIo(header(asyncCursor))).toEqual(want);
    expect(asyncCursor.position).toBe(16);
    const syncCursor = new Cursor(mem, 10);
    expect(runIoSync(header(syncCursor))).toEqual(want);
    expect(syncCursor.position).toBe(16);
    const [a, b] = runIoSync(joinPrograms([header(new Cursor(mem, 10)), header(new Cursor(mem, 20))]));
    expect(a).toEqual(want);
    expect(b?.[0]).toBe(view.getUint16(20, true));
    const writer = new Cursor(new MemoryIo());
    await runIo(writer.writeNumberProgram("u32be", 0xdeadbeef));
    runIoSync(writer.writeAllProgram(Uint8Array.of(1, 2)));
    expect(writer.position).toBe(6);
    writer.seek(0);
    expect(runIoSync(writer.readNumberProgram("u32be"))).toBe(0xdeadbeef);
    expect(await runIo(writer.readProgram(new Uint8Array(8)))).toBe(2);
    expect(writer.position).toBe(6);
  });
});
