/**
 * Bounce slots are named to the addon by locator (arena id and byte offset) instead of by a
 * buffer object per operation. The arena hands out locators only for slots of chunks the addon
 * registered; the addon reads into exactly the named bytes, and refuses locators it never gave
 * out or offsets past their chunk, so a corrupt record can never reach the kernel.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BounceArena, SLOT } from "../src/internal/BounceArena.js";
import { loadAddon, type Addon, type RingHandle } from "../src/internal/addon.js";
import { probe } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const SPAN = 2 ** 20;
const PARAMS_PER_OP = 9;

describe("BounceArena locators", () => {
  it("a slot of a registered chunk has (id + 1) · 2^20 + its offset; other memory has 0", () => {
    const registered: Uint8Array[] = [];
    const arena = new BounceArena(128, () => 0, (chunk) => registered.push(chunk) - 1);
    const first = arena.take(SLOT);
    expect(registered).toHaveLength(1);
    expect(arena.locate(first)).toBe(SPAN + first.byteOffset);
    const slots = Array.from({ length: 64 }, () => arena.take(SLOT));
    // The 65th slot came from a second chunk.
    expect(registered).toHaveLength(2);
    const second = slots.find((slot) => slot.buffer === registered[1]?.buffer) as Uint8Array;
    expect(arena.locate(second)).toBe(2 * SPAN + second.byteOffset);
    expect(arena.locate(arena.take(SLOT * 2))).toBe(0);
    expect(arena.locate(new Uint8Array(SLOT))).toBe(0);
  });

  it("a chunk the addon refused has no locator: its slots go as buffers", () => {
    const arena = new BounceArena(64, () => 0, () => -12);
    expect(arena.locate(arena.take(SLOT))).toBe(0);
    const unregistered = new BounceArena(64, () => 0);
    expect(unregistered.locate(unregistered.take(SLOT))).toBe(0);
  });
});

describe.skipIf(!status.ok)(`the addon's arena locators${why}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "pktio-locator-"));
  const path = join(dir, "data");
  writeFileSync(path, Uint8Array.from({ length: 2 * SLOT }, (_, i) => (i * 7) & 0xff));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A bare ring of the addon's, one READ record at a time, reaped synchronously. */
  function bareRing(): { addon: Addon; ring: RingHandle; params: Float64Array; completions: Int32Array; close(): void } {
    const addon = loadAddon();
    if (!("open" in addon)) throw addon;
    const params = new Float64Array(8 * PARAMS_PER_OP);
    const completions = new Int32Array(512);
    const ring = addon.open(16, 0, params, completions, () => undefined, -1);
    if (typeof ring === "number") throw new Error(`io_uring_setup: ${ring}`);
    return { addon, ring, params, completions, close: () => addon.close(ring) };
  }

  function readRecord(params: Float64Array, fd: number, pos: number, length: number, locator: number): void {
    params.set([0, fd, pos, length, 0, 0, 0, 0, locator]);
  }

  it("a READ by locator lands in the named slot of the registered chunk, nowhere else", () => {
    const { addon, ring, params, completions, close } = bareRing();
    const fd = openSync(path, "r");
    try {
      readRecord(params, fd, SLOT, SLOT, 0);
      params[0] = addon.opcodes.READ;
      const chunk = new Uint8Array(4 * SLOT);
      const id = addon.registerArena(ring, chunk);
      expect(id).toBeGreaterThanOrEqual(0);
      params[8] = (id + 1) * SPAN + 2 * SLOT;
      expect(addon.submit(ring, 1, [undefined, undefined], 1)).toBe(1);
      expect(addon.wait(ring, 0)).toBe(1);
      expect([completions[0], completions[1]]).toEqual([0, SLOT]);
      const expected = Uint8Array.from({ length: SLOT }, (_, i) => ((i + SLOT) * 7) & 0xff);
      expect(Buffer.compare(chunk.subarray(2 * SLOT, 3 * SLOT), expected)).toBe(0);
      expect(chunk.subarray(0, 2 * SLOT).every((byte) => byte === 0)).toBe(true);
      expect(chunk.subarray(3 * SLOT).every((byte) => byte === 0)).toBe(true);
    } finally {
      closeSync(fd);
      close();
    }
  });

  it("an unknown arena, an offset past the chunk, or a length past its end is refused before the kernel", () => {
    const { addon, ring, params, close } = bareRing();
    const fd = openSync(path, "r");
    try {
      const id = addon.registerArena(ring, new Uint8Array(2 * SLOT));
      readRecord(params, fd, 0, SLOT, (id + 2) * SPAN);
      params[0] = addon.opcodes.READ;
      expect(() => addon.submit(ring, 1, [undefined, undefined], 0)).toThrow(/unknown arena locator/);
      params[8] = (id + 1) * SPAN + 2 * SLOT + 1;
      expect(() => addon.submit(ring, 1, [undefined, undefined], 0)).toThrow(/unknown arena locator/);
      params[8] = (id + 1) * SPAN + SLOT + 1;
      expect(() => addon.submit(ring, 1, [undefined, undefined], 0)).toThrow(/longer than its buffer/);
      expect(() => addon.registerArena(ring, new Uint8Array(0))).toThrow(/non-empty Uint8Array/);
      expect(addon.pending(ring)).toBe(0);
    } finally {
      closeSync(fd);
      close();
    }
  });
});
