/**
 * libuv drops a piece still queued behind its path's slots when the packet's signal fires (an
 * abort or the deadline): the OS never sees it. Shown on a FIFO, whose bytes say which reads ran.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, Packet, Write } from "@pktio/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openLibuv, type LibuvRuntime } from "../src/index.js";

let rt: LibuvRuntime;
let dir: string;
beforeAll(() => {
  // One operation in flight per FIFO: the second read waits in the path's queue. (The runtime's
  // maxInFlight no longer holds it back: a FIFO's reads never take the runtime's slots.)
  rt = openLibuv({ maxInFlightPerStream: 1 });
  dir = mkdtempSync(join(tmpdir(), "pktio-libuv-deadline-"));
});
afterAll(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

it("a queued read whose deadline passes is settled TimedOut and never started", async () => {
  const path = join(dir, "fifo");
  execFileSync("mkfifo", [path]);
  const file = await rt.fs.open(path, { read: true, write: true });
  const first = Packet.alloc(1, Write);
  const blocked = io(file, 0, first, undefined, { timeoutMs: 60_000 });
  const queued = Packet.alloc(1, Write);
  const result = await io(file, 0, queued, undefined, { timeoutMs: 20 });
  expect(result.error?.kind).toBe("TimedOut");
  // Two bytes in: the first read takes one; the dropped read must leave the other unread.
  writeFileSync(path, new Uint8Array([1, 2]), { flag: "a" });
  expect(await blocked).toEqual({ transferred: 1, error: undefined });
  expect([...first.bytes]).toEqual([1]);
  const released = await queued.released;
  expect(released?.error?.kind).toBe("TimedOut");
  expect(released?.transferred).toBe(0);
  expect([...queued.bytes]).toEqual([0]);
  const next = new Uint8Array(1);
  expect(await file.readAt(0, next)).toBe(1);
  expect([...next]).toEqual([2]);
  await file.close();
});

it("thousands of queued pieces dropped after an abort start one after another, not nested (no stack overflow)", async () => {
  const path = join(dir, "many");
  writeFileSync(path, new Uint8Array(4096));
  const file = await rt.fs.open(path);
  const controller = new AbortController();
  // Far more than the file's 64 slots: the rest wait in its queue and are dropped as slots free.
  const packets = Array.from({ length: 20_000 }, () => Packet.alloc(1, Write));
  const settling = packets.map((packet, i) => io(file, i % 4096, packet, undefined, { signal: controller.signal }));
  controller.abort();
  const results = await Promise.all(settling);
  expect(results.every((result) => result.error === undefined || result.error.kind === "Aborted")).toBe(true);
  await Promise.all(packets.map((packet) => packet.released));
  expect(packets.every((packet) => !packet.inFlight)).toBe(true);
  await file.close();
});
