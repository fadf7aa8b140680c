/**
 * A SQLite table reader written once as IoPrograms, run sync or async on any pktio target: it
 * walks a table's b-tree and reads every child page of an interior node at once (`joinIo`), then
 * walks the sibling subtrees side by side (`joinPrograms`), so a whole level of the tree is in
 * flight together. Overflow chains are followed page by page. It reads the file format only
 * (https://www.sqlite.org/fileformat2.html, "B-tree Pages" and "Record Format"); no SQLite code.
 * Usage: runIoSync(readTable(file, "name")) or await runIo(readTable(file, "name")).
 */
import { joinIo, joinPrograms, Packet, readExactAtProgram, request, Write, type IoProgram, type ReadTarget } from "@pktio/core";

/** One column value as SQLite stores it: 64-bit integers that do not fit a number are bigints. */
export type SqlValue = null | number | bigint | string | Uint8Array;

/** A table row: its rowid and its record's values, in column order. */
export interface Row {
  readonly rowid: number | bigint;
  readonly values: SqlValue[];
}

/** What the 100-byte header says that the walk needs. */
export interface Database {
  readonly target: ReadTarget;
  readonly pageSize: number;
  /** The page size less the reserved bytes at the end of each page. */
  readonly usable: number;
}

const MAGIC = "SQLite format 3\u0000";
const utf8 = new TextDecoder();
const LEAF_TABLE = 0x0d;
const INTERIOR_TABLE = 0x05;

/** Reads and checks the database header. */
export function* openDatabase(target: ReadTarget): IoProgram<Database> {
  const header = new Uint8Array(100);
  yield* readExactAtProgram(target, 0, header);
  if (utf8.decode(header.subarray(0, 16)) !== MAGIC) throw new Error("not a SQLite database (bad magic)");
  const view = new DataView(header.buffer);
  const rawPageSize = view.getUint16(16, false);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new Error(`bad page size ${rawPageSize}`);
  if (view.getUint32(56, false) > 1) throw new Error("only UTF-8 databases are supported");
  return { target, pageSize, usable: pageSize - (header[20] as number) };
}

/** The request that reads page `page` (1-based) into a fresh buffer. */
function pageRequest(db: Database, page: number, into: Uint8Array): ReturnType<typeof request> {
  return request(db.target, (page - 1) * db.pageSize, Packet.wrap(into, Write));
}

/** Reads several pages at once; a short or failed read is an error naming the page. */
function* readPages(db: Database, pages: readonly number[]): IoProgram<Uint8Array[]> {
  const buffers = pages.map(() => new Uint8Array(db.pageSize));
  const results = yield* joinIo(pages.map((page, index) => pageRequest(db, page, buffers[index] as Uint8Array)));
  results.forEach((result, index) => {
    if (result.error !== undefined || result.transferred < db.pageSize) {
      throw new Error(`page ${pages[index]}: ${result.error?.message ?? `only ${result.transferred} of ${db.pageSize} bytes`}`, { cause: result.error });
    }
  });
  return buffers;
}

/** A varint at `offset`: its value and its length in bytes (1 … 9). */
function varint(bytes: Uint8Array, offset: number): { value: bigint; length: number } {
  let value = 0n;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[offset + i] as number;
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  return { value: (value << 8n) | BigInt(bytes[offset + 8] as number), length: 9 };
}

const toNumber = (value: bigint): number | bigint => (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value);

/** Decodes a record (header of serial types, then the values). */
export function decodeRecord(record: Uint8Array): SqlValue[] {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const { value: headerSize, length } = varint(record, 0);
  const values: SqlValue[] = [];
  let typeAt = length;
  let dataAt = Number(headerSize);
  while (typeAt < Number(headerSize)) {
    const serial = varint(record, typeAt);
    typeAt += serial.length;
    const type = Number(serial.value);
    if (type === 0) values.push(null);
    else if (type >= 1 && type <= 6) {
      const size = [0, 1, 2, 3, 4, 6, 8][type] as number;
      let signed = BigInt.asIntN(8, BigInt(record[dataAt] as number));
      for (let i = 1; i < size; i++) signed = (signed << 8n) | BigInt(record[dataAt + i] as number);
      values.push(toNumber(signed));
      dataAt += size;
    } else if (type === 7) {
      values.push(view.getFloat64(dataAt, false));
      dataAt += 8;
    } else if (type === 8 || type === 9) values.push(type - 8);
    else if (type >= 12) {
      const size = Math.floor((type - 12) / 2);
      const bytes = record.slice(dataAt, dataAt + size);
      values.push(type % 2 === 0 ? bytes : utf8.decode(bytes));
      dataAt += size;
    } else throw new Error(`reserved serial type ${type}`);
  }
  return values;
}

/** The cell offsets of a b-tree page and its header's fields. */
function pageLayout(page: Uint8Array, headerAt: number): { type: number; cells: number[]; rightmost: number } {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const type = page[headerAt] as number;
  if (type !== LEAF_TABLE && type !== INTERIOR_TABLE) throw new Error(`page type ${type} is not a table b-tree page`);
  const count = view.getUint16(headerAt + 3, false);
  const pointersAt = headerAt + (type === INTERIOR_TABLE ? 12 : 8);
  const cells = Array.from({ length: count }, (_, i) => view.getUint16(pointersAt + 2 * i, false));
  return { type, cells, rightmost: type === INTERIOR_TABLE ? view.getUint32(headerAt + 8, false) : 0 };
}

/** Where a table leaf cell's payload is, and how much of it is on the page (fileformat2 §1.6). */
function leafCell(db: Database, page: Uint8Array, cellAt: number): { rowid: bigint; payloadAt: number; total: number; local: number } {
  const size = varint(page, cellAt);
  const rowid = varint(page, cellAt + size.length);
  const total = Number(size.value);
  const maxLocal = db.usable - 35;
  const minLocal = Math.floor(((db.usable - 12) * 32) / 255) - 23;
  let local = total;
  if (total > maxLocal) {
    const k = minLocal + ((total - minLocal) % (db.usable - 4));
    local = k <= maxLocal ? k : minLocal;
  }
  return { rowid: rowid.value, payloadAt: cellAt + size.length + rowid.length, total, local };
}

/** A row whose payload spills: the local part, then its overflow chain, one page after another. */
function* overflowRow(db: Database, page: Uint8Array, cellAt: number): IoProgram<Row> {
  const { rowid, payloadAt, total, local } = leafCell(db, page, cellAt);
  const payload = new Uint8Array(total);
  payload.set(page.subarray(payloadAt, payloadAt + local));
  let filled = local;
  let next = new DataView(page.buffer, page.byteOffset).getUint32(payloadAt + local, false);
  while (filled < total) {
    if (next === 0) throw new Error(`row ${rowid}: overflow chain ends after ${filled} of ${total} bytes`);
    const [overflow] = (yield* readPages(db, [next])) as [Uint8Array];
    const take = Math.min(total - filled, db.usable - 4);
    payload.set(overflow.subarray(4, 4 + take), filled);
    filled += take;
    next = new DataView(overflow.buffer).getUint32(0, false);
  }
  return { rowid: toNumber(rowid), values: decodeRecord(payload) };
}

/** The rows of a leaf page: cells on the page decode at once; spilled ones read their chains side by side. */
function* leafRows(db: Database, page: Uint8Array, cells: readonly number[]): IoProgram<Row[]> {
  const rows: Row[] = new Array<Row>(cells.length);
  const spilled: number[] = [];
  cells.forEach((cellAt, index) => {
    const { rowid, payloadAt, total, local } = leafCell(db, page, cellAt);
    if (local < total) spilled.push(index);
    else rows[index] = { rowid: toNumber(rowid), values: decodeRecord(page.subarray(payloadAt, payloadAt + total)) };
  });
  const read = yield* joinPrograms(spilled.map((index) => overflowRow(db, page, cells[index] as number)));
  spilled.forEach((index, k) => (rows[index] = read[k] as Row));
  return rows;
}

/** Every row under a page already read, in rowid order. Page 1 has the file header first. */
function* walk(db: Database, page: Uint8Array, number: number): IoProgram<Row[]> {
  const { type, cells, rightmost } = pageLayout(page, number === 1 ? 100 : 0);
  if (type === LEAF_TABLE) return yield* leafRows(db, page, cells);
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const children = [...cells.map((cellAt) => view.getUint32(cellAt, false)), rightmost];
  const pages = yield* readPages(db, children);
  const subtrees = yield* joinPrograms(pages.map((child, index) => walk(db, child, children[index] as number)));
  return subtrees.flat();
}

/** Every row of the b-tree rooted at `root`, in rowid order. */
export function* readTree(db: Database, root: number): IoProgram<Row[]> {
  const [page] = (yield* readPages(db, [root])) as [Uint8Array];
  return yield* walk(db, page, root);
}

/** Every row of table `name`, found through the schema table (page 1), in rowid order. */
export function* readTable(target: ReadTarget, name: string): IoProgram<Row[]> {
  const db = yield* openDatabase(target);
  const schema = yield* readTree(db, 1);
  // sqlite_schema columns: type, name, tbl_name, rootpage, sql.
  const entry = schema.find(({ values }) => values[0] === "table" && values[1] === name);
  if (entry === undefined) throw new Error(`no table ${JSON.stringify(name)}`);
  return yield* readTree(db, Number(entry.values[3]));
}
