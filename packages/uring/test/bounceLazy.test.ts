/**
 * A read into memory the caller could detach (a plain ArrayBuffer) moves through a bounce slot,
 * and takes that slot only when it gets into the ring, not when it is queued: thousands of reads
 * queued behind `maxInFlight` or the file's limit hold no slots, so none spills into memory of
 * its own (before, 16384 reads in flight each held one, past the arena's bound each allocated
 * one, and the rate fell to 123k reads/s against 269k now). Reads cancelled while they wait never
 * take one, and a runtime's slots keep serving afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededBytes } from "@pktio/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openUring, probe } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;

describe.skipIf(!status.ok)(`uring bounce slots are taken at submission${why}`, () => {
  let dir: string;
  let path: string;
  let data: Uint8Array;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pktio-bounce-"));
    path = join(dir, "data.bin");
    data = seededBytes(1 << 20, 0xb0);
    writeFileSync(path, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("4000 queued one-slot reads of plain memory hold no slots while they wait: none spills, every byte is right", async () => {
    const rt = openUring({ maxInFlight: 64 });
    const file = await rt.fs.open(path);
    const count = 4000;
    const memory = new ArrayBuffer(count * 256);
    const dsts = Array.from({ length: count }, (_, i) => new Uint8Array(memory, i * 256, 256));
    const positions = Array.from({ length: count }, (_, i) => (i * 7919 * 256) % (data.byteLength - 256));
    const counts = await Promise.all(dsts.map((dst, i) => file.readAt(positions[i] as number, dst)));
    expect(counts.every((n) => n === 256)).toBe(true);
    dsts.forEach((dst, i) => expect(Buffer.compare(dst, data.subarray(positions[i], (positions[i] as number) + 256)), `read ${i}`).toBe(0));
    // At most the ring's records (64 here, and as many again for streams) held a slot at once.
    expect(rt.io.bounce.spilled).toBe(0);
    expect(rt.io.bounce.slotBytes).toBeLessThanOrEqual(128 * 4096);
    await file.close();
    await rt.close();
  });

  it("reads aborted while they wait in the queue settle with the abort, took no slot, and the slots serve the next reads", async () => {
    const rt = openUring({ maxInFlight: 64 });
    const file = await rt.fs.open(path);
    const controller = new AbortController();
    const count = 2000;
    const reads = Array.from({ length: count }, (_, i) => file.readAt(i * 256, new Uint8Array(256), { signal: controller.signal }).then(
      (n) => `read ${n}`,
      (error: { kind?: string }) => String(error.kind),
    ));
    // Synchronously: most reads are still queued in the file's slots. How many already completed
    // depends on the machine (a submit that reaps inline, or the submit thread on the other core,
    // frees slots while the loop above still runs), so only "some were aborted in the queue" holds.
    controller.abort();
    const outcomes = await Promise.all(reads);
    expect(outcomes.filter((outcome) => outcome !== "read 256" && outcome !== "Aborted")).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === "Aborted").length).toBeGreaterThan(0);
    expect(rt.io.bounce.spilled).toBe(0);
    expect(rt.io.bounce.slotBytes).toBeLessThanOrEqual(128 * 4096);
    const again = await Promise.all(Array.from({ length: 256 }, (_, i) => file.readAt(i * 4096, new Uint8Array(4096))));
    expect(again.every((n) => n === 4096)).toBe(true);
    expect(rt.io.bounce.spilled).toBe(0);
    await file.close();
    await rt.close();
  });
});
