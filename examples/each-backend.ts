/**
 * One library function, written once against PacketIo, run on every backend that works here,
 * asynchronously and synchronously. `readRecord` reads a length-prefixed record from a table of
 * records: it never names a backend and never chooses between sync and async.
 * Usage: pnpm --filter @pktio/examples run each-backend
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNumber, MemoryIo, readExactAtProgram, readNumberAtProgram, runIo, runIoSync, type IoProgram, type ReadTarget } from "@pktio/core";
import { openEach } from "@pktio/rt";

/** Record `index` of a file laid out as: u32le count, u64le offsets[count], then u32le-prefixed payloads. */
function* readRecord(file: ReadTarget, index: number): IoProgram<string> {
  const count = yield* readNumberAtProgram(file, 0, "u32le");
  if (index >= count) throw new RangeError(`record ${index} of ${count}`);
  const offset = yield* readNumberAtProgram(file, 4 + index * 8, "u64le");
  const length = yield* readNumberAtProgram(file, offset, "u32le");
  const payload = new Uint8Array(length);
  yield* readExactAtProgram(file, Number(offset) + 4, payload);
  return new TextDecoder().decode(payload);
}

function buildTable(records: string[]): Uint8Array {
  const payloads = records.map((record) => new TextEncoder().encode(record));
  const header = 4 + records.length * 8;
  const parts: Uint8Array[] = [encodeNumber("u32le", records.length)];
  let offset = header;
  for (const payload of payloads) {
    parts.push(encodeNumber("u64le", BigInt(offset)));
    offset += 4 + payload.length;
  }
  for (const payload of payloads) parts.push(encodeNumber("u32le", payload.length), payload);
  return Buffer.concat(parts);
}

const records = ["completion", "I/O", "written once", "run anywhere"];
const table = buildTable(records);
const dir = mkdtempSync(join(tmpdir(), "pktio-each-"));
try {
  const memory = new MemoryIo(table);
  console.log(`memory  async: ${await runIo(readRecord(memory, 2))} | sync: ${runIoSync(readRecord(memory, 3))}`);
  for (const rt of await openEach()) {
    const path = join(dir, `${rt.backend}.bin`);
    const file = await rt.fs.open(path, { write: true, create: true });
    await file.writeAllAt(0, table);
    const asyncAnswer = await runIo(readRecord(file, 2));
    const syncAnswer = runIoSync(readRecord(file, 3));
    console.log(`${rt.backend.padEnd(7)} async: ${asyncAnswer} | sync: ${syncAnswer}`);
    await rt.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
