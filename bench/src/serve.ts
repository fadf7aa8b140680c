/**
 * bench:serve — our server (`pktio serve`'s serveDirectory, on uring and on libuv) side by side
 * with `webdav-server` (npm) and `send` (Node's serve-static engine), each in its own process,
 * the client (@pktio/netfs) in this one: random 4 KiB ranged reads of a 64 MiB file with 64 in
 * flight (openHttpFile, coalescing off), a whole-file read in 1 MiB views with 16 in flight, and
 * PROPFIND Depth 1 listings of a 1000-entry directory through openWebDavFs (not for send, which
 * has no WebDAV). Every trial checks its bytes or entries before it is timed. Prints a markdown
 * table of rates and ratios against send (listings: against webdav-server), with the machine
 * and date. Run on the built packages: `pnpm build && pnpm --filter @pktio/bench run bench:serve`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { openHttpFile, openWebDavFs } from "@pktio/netfs";
import { describeMachine } from "./matrix/machine.js";

const SECONDS = 1.5;
const FILE_SIZE = 64 * 1024 * 1024;
const ENTRIES = 1000;
const here = dirname(fileURLToPath(import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const SERVERS = ["pktio-uring", "pktio-libuv", "webdav-server", "send"] as const;

function seeded(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const words = new Uint32Array(bytes.buffer);
  let x = 0x5e77e;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return bytes;
}

async function startServer(kind: string, root: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", tsx, join(here, "serve", "server.ts"), kind, root], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${kind} exited ${code}`)));
  });
  return { url: line.trim(), child };
}

/** Runs `step` (which returns the work units it did) for SECONDS; units per second. */
async function rate(step: () => Promise<number>): Promise<number> {
  await step();
  let units = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) units += await step();
  return units / ((performance.now() - start) / 1000);
}

const root = mkdtempSync(join(tmpdir(), "pktio-bench-serve-"));
const data = seeded(FILE_SIZE);
writeFileSync(join(root, "data.bin"), data);
mkdirSync(join(root, "many"));
for (let i = 0; i < ENTRIES; i++) writeFileSync(join(root, "many", `entry-${i}.txt`), String(i));

let seed = 12345;
const nextPos = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed % (FILE_SIZE / 4096)) * 4096;
};

const results: Record<string, { random: number; whole: number; listing: number | undefined }> = {};
try {
  for (const kind of SERVERS) {
    const { url, child } = await startServer(kind, root);
    try {
      const file = await openHttpFile(new URL("data.bin", url), { coalesce: false, connections: 64 });
      const check = new Uint8Array(4096);
      await file.readExactAt(4096 * 77, check);
      if (Buffer.compare(Buffer.from(check), Buffer.from(data.subarray(4096 * 77, 4096 * 78))) !== 0) throw new Error(`${kind}: wrong bytes`);
      const random = await rate(async () => {
        await Promise.all(Array.from({ length: 64 }, () => file.readExactAt(nextPos(), new Uint8Array(4096))));
        return 64;
      });
      const whole = await rate(async () => {
        const out = new Uint8Array(FILE_SIZE);
        const chunk = 1024 * 1024;
        for (let lane = 0; lane < FILE_SIZE / chunk; lane += 16) {
          await Promise.all(Array.from({ length: 16 }, (_, i) => file.readExactAt((lane + i) * chunk, out.subarray((lane + i) * chunk, (lane + i + 1) * chunk))));
        }
        if (out[FILE_SIZE - 1] !== data[FILE_SIZE - 1]) throw new Error(`${kind}: wrong last byte`);
        return FILE_SIZE / 2 ** 20;
      });
      await file.close();
      let listing: number | undefined;
      if (kind !== "send") {
        const fs = await openWebDavFs(url);
        let seen = 0;
        for await (const _ of fs.readDir("many")) seen++;
        if (seen !== ENTRIES) throw new Error(`${kind}: listed ${seen} of ${ENTRIES}`);
        listing = await rate(async () => {
          for await (const _ of fs.readDir("many")) void _;
          return 1;
        });
        await fs.close();
      }
      results[kind] = { random, whole, listing };
    } finally {
      child.stdin!.end();
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const machine = describeMachine();
const send = results["send"]!;
const dav = results["webdav-server"]!;
console.log(`bench:serve, ${new Date().toISOString().slice(0, 10)}, ${JSON.stringify(machine)}\n`);
console.log("| server | random 4 KiB reads/s (64 in flight) | × send | whole-file read MiB/s | × send | PROPFIND Depth 1 (1000 entries)/s | × webdav-server |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const kind of SERVERS) {
  const r = results[kind]!;
  const list = r.listing === undefined ? "— | —" : `${r.listing.toFixed(1)} | ${(r.listing / dav.listing!).toFixed(2)}`;
  console.log(`| ${kind} | ${r.random.toFixed(0)} | ${(r.random / send.random).toFixed(2)} | ${r.whole.toFixed(0)} | ${(r.whole / send.whole).toFixed(2)} | ${list} |`);
}
