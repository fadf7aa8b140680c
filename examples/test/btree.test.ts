/**
 * The b-tree walk of examples/btree.ts on a real SQLite file made by sql.js (SQLite as wasm): the
 * same rows as SQLite's own SELECT, sync and async, on MemoryIo and every backend that works here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryIo, runIo, runIoSync, type PacketIo, type Pos, type Runtime, type Write } from "@pktio/core";
import { openEach } from "@pktio/rt";
import initSqlJs from "sql.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, readTable, readTree, type Row } from "../btree.js";

let fixture: Uint8Array;
let expected: Row[];
let runtimes: Runtime[] = [];
const dir = mkdtempSync(join(tmpdir(), "pktio-btree-"));
const path = join(dir, "fixture.sqlite");

/** Seeded text of `length` characters, some of it multi-byte. */
function text(seed: number, length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz ÄÖÜ€漢字0123456789";
  let x = seed || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

beforeAll(async () => {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  // Small pages make a deep tree (root, interior levels, leaves) and many overflow chains.
  db.run("PRAGMA page_size = 1024");
  db.run("CREATE TABLE items (name TEXT, score REAL, payload BLOB, n INTEGER, note TEXT)");
  db.run("CREATE TABLE other (x)");
  db.run("BEGIN");
  for (let i = 0; i < 3000; i++) {
    const long = i % 97 === 0 ? 5000 + i : (i * 37) % 200;
    const blob = Uint8Array.from({ length: i % 13 === 0 ? 3000 : i % 50 }, (_, k) => (k * 7 + i) & 0xff);
    const n = i % 5 === 0 ? null : [0, 1, -1, 127, -129, 40_000, -8_388_608, 2 ** 31, -(2 ** 40), Number.MAX_SAFE_INTEGER][i % 10];
    db.run("INSERT INTO items VALUES (?, ?, ?, ?, ?)", [text(i, long), i % 3 === 0 ? i / 7 : i, blob, n, i % 4 === 0 ? null : `note ${i}`]);
  }
  db.run("DELETE FROM items WHERE rowid % 17 = 0");
  db.run("COMMIT");
  db.run("INSERT INTO other VALUES (42)");
  fixture = db.export();
  const [result] = db.exec("SELECT rowid, name, score, payload, n, note FROM items ORDER BY rowid");
  expected = (result?.values ?? []).map(([rowid, ...values]) => ({ rowid: rowid as number, values: values as Row["values"] }));
  db.close();
  writeFileSync(path, fixture);
  runtimes = await openEach();
}, 60_000);

afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** One line per row (blobs in hex, bigints marked): comparing lines is fast where deep equality of thousands of rows is not. */
function lines(rows: readonly Row[]): string[] {
  return rows.map((row) =>
    JSON.stringify([row.rowid, ...row.values], (_key, value: unknown) =>
      value instanceof Uint8Array ? `blob:${Buffer.from(value).toString("hex")}` : typeof value === "bigint" ? `${value}n` : value,
    ),
  );
}

/** The rows read equal SQLite's, row by row; a mismatch names the first row that differs. */
function expectRows(rows: readonly Row[], label: string): void {
  const got = lines(rows);
  const want = lines(expected);
  const first = got.findIndex((line, index) => line !== want[index]);
  expect(first === -1 ? undefined : { index: first, got: got[first], want: want[first] }, label).toBeUndefined();
  expect(got.length, label).toBe(want.length);
}

/** A MemoryIo that counts the most requests it held at once (it settles them in batches). */
function countingMemory(bytes: Uint8Array): { target: PacketIo<Write, Pos>; maxQueued: () => number } {
  const memory = new MemoryIo(bytes);
  let queued = 0;
  let most = 0;
  const target: PacketIo<Write, Pos> = {
    backend: memory,
    sendIo(pos, view) {
      queued++;
      most = Math.max(most, queued);
      queueMicrotask(() => (queued = 0));
      memory.sendIo(pos, view);
    },
  };
  return { target, maxQueued: () => most };
}

describe("SQLite b-tree walk (examples/btree.ts)", () => {
  it("the fixture is a deep tree with overflow pages, so the walk is tested where it matters", () => {
    const db = runIoSync(openDatabase(new MemoryIo(fixture)));
    expect(db.pageSize).toBe(1024);
    expect(expected.length).toBeGreaterThan(2500);
    expect(fixture.byteLength / 1024).toBeGreaterThan(500);
    // The schema has both tables; a second table's b-tree reads on its own.
    const schema = runIoSync(readTree(db, 1));
    expect(schema.map(({ values }) => values[1])).toEqual(["items", "other"]);
    expect(runIoSync(readTable(new MemoryIo(fixture), "other"))).toEqual([{ rowid: 1, values: [42] }]);
  });

  it("MemoryIo: the same rows as SQLite, sync and async, with each node's children read at once", async () => {
    expectRows(runIoSync(readTable(new MemoryIo(fixture), "items")), "memory sync");
    const { target, maxQueued } = countingMemory(fixture);
    expectRows(await runIo(readTable(target, "items")), "memory async");
    // The root's children (and then a whole level) went out together, not one page at a time.
    expect(maxQueued()).toBeGreaterThan(4);
  });

  it("every backend: the same rows as SQLite, sync and async", async () => {
    expect(runtimes.length).toBeGreaterThan(0);
    for (const runtime of runtimes) {
      const file = await runtime.fs.open(path, { read: true });
      try {
        expectRows(runIoSync(readTable(file, "items")), `${runtime.backend} sync`);
        expectRows(await runIo(readTable(file, "items")), `${runtime.backend} async`);
      } finally {
        await file.close();
      }
    }
  });

  it("a truncated file or a missing table is an error, not wrong rows", async () => {
    await expect(runIo(readTable(new MemoryIo(fixture.subarray(0, fixture.byteLength - 4096)), "items"))).rejects.toThrow(/page \d+/);
    expect(() => runIoSync(readTable(new MemoryIo(fixture), "nope"))).toThrow(/no table "nope"/);
    expect(() => runIoSync(readTable(new MemoryIo(new Uint8Array(4096)), "items"))).toThrow(/not a SQLite database/);
  });
});
