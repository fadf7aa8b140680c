/**
 * The body of every worker thread. It runs from source text (`new Worker(WORKER_SOURCE, { eval:
 * true })`), so it works the same from the TypeScript sources under a test runner, from the
 * ESM and CJS builds and inside bundles: `workerMain` must be self-contained. It may use its
 * `require` argument, globals and type-only imports, and nothing else from the outside; every
 * number it needs (the ring layout, the op codes) arrives in workerData.
 *
 * The loop: perform the entries between HEAD and TAIL in order with the sync fs calls, publish
 * each result by storing HEAD and adding to COMPLETIONS (notifying only while the main thread
 * says it waits), and when the ring is empty sleep in Atomics.wait on TAIL. Many requests are
 * taken per wake-up: nothing but an empty ring puts the worker to sleep.
 */
import type { BigIntStats, Dirent } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import type { MetaReply, MetaRequest, PortMessage, RootRef } from "./messages.js";
import type { RingLayout } from "./ringLayout.js";

/** What a worker is started with. */
export interface WorkerData {
  readonly layout: RingLayout;
  readonly index: number;
  readonly control: SharedArrayBuffer;
  readonly port: MessagePort;
}

export function workerMain(require: NodeJS.Require): void {
  const threads = require("node:worker_threads") as typeof import("node:worker_threads");
  const fs = require("node:fs") as typeof import("node:fs");
  const paths = require("node:path") as typeof import("node:path");
  const data = threads.workerData as WorkerData;
  const L = data.layout;
  const OP = L.ops;
  const port = data.port;
  const i32 = new Int32Array(data.control);
  const f64 = new Float64Array(data.control);
  const base = L.firstWorker + data.index * L.workerStride;
  const TAIL = base + L.tail;
  const HEAD = base + L.head;
  const SLEEPING = base + L.sleeping;
  const STARTED = base + L.started;
  const STATE = base + L.state;
  const RING = base + L.ring;
  const MASK = L.ringSlots - 1;
  /** User SharedArrayBuffers this worker was told about, by id. */
  const buffers = new Map<number, Uint8Array>();
  /** Meta requests received ahead of their entries, oldest first. */
  const metas: MetaRequest[] = [];

  // The Linux thread id lets a blocked main thread see that a terminated worker is gone
  // (/proc/self/task/<tid> disappears when the thread ends); 0 where /proc is missing.
  let tid = 0;
  try {
    tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    tid = 0;
  }
  Atomics.store(i32, base + L.tid, Number.isSafeInteger(tid) ? tid : 0);
  // process.exit() and uncaught errors run this; terminate() does not (the main thread then
  // learns from /proc or from the Worker's 'exit' event).
  process.on("exit", () => {
    Atomics.store(i32, STATE, L.states.Exited);
    Atomics.add(i32, L.completions, 1);
    Atomics.notify(i32, L.completions);
  });
  Atomics.store(i32, STATE, L.states.Running);

  /** Takes every message waiting on the port into `buffers` and `metas`. */
  function pump(): void {
    for (let received = threads.receiveMessageOnPort(port); received !== undefined; received = threads.receiveMessageOnPort(port)) {
      const message = received.message as PortMessage;
      if (message.t === "buffer") buffers.set(message.id, new Uint8Array(message.buffer));
      else if (message.t === "forget") buffers.delete(message.id);
      else metas.push(message.request);
    }
  }

  function target(entry: number): Uint8Array {
    const id = i32[entry + L.buffer] as number;
    let bytes = buffers.get(id);
    if (bytes === undefined) {
      // The registration was posted before the entry was published, so it is on the port.
      pump();
      bytes = buffers.get(id);
      if (bytes === undefined) throw new Error(`shared buffer ${id} was never registered with this worker`);
    }
    return bytes;
  }

  function errnoOf(error: unknown): number {
    const errno = typeof error === "object" && error !== null ? (error as { errno?: unknown }).errno : undefined;
    return typeof errno === "number" && errno !== 0 ? Math.abs(errno) : L.errnoInternal;
  }

  /**
   * pread, or read where the fd cannot seek (a FIFO, a character device: ESPIPE), so that such a
   * file streams as it does on uring, whose reads ignore the offset there.
   */
  function readAt(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
    try {
      return fs.readSync(fd, bytes, offset, length, position);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ESPIPE") throw error;
      return fs.readSync(fd, bytes, offset, length, null);
    }
  }
  /** pwrite, or write where the fd cannot seek (see readAt). */
  function writeAt(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
    try {
      return fs.writeSync(fd, bytes, offset, length, position);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ESPIPE") throw error;
      return fs.writeSync(fd, bytes, offset, length, null);
    }
  }

  /** Performs one data entry; writes RESULT and ERRNO. */
  function perform(entry: number): void {
    const op = i32[entry + L.op] as number;
    const fd = i32[entry + L.fd] as number;
    const length = i32[entry + L.length] as number;
    const position = f64[(entry >> 1) + L.position] as number;
    let done = 0;
    let errno = 0;
    try {
      if (op === OP.Read) {
        done = readAt(fd, target(entry), f64[(entry >> 1) + L.offset] as number, length, position);
      } else if (op === OP.Write) {
        const bytes = target(entry);
        const offset = f64[(entry >> 1) + L.offset] as number;
        // A short write is continued here, sparing a round trip; 0 means no progress.
        while (done < length) {
          const count = writeAt(fd, bytes, offset + done, length - done, position + done);
          if (count === 0) break;
          done += count;
        }
      } else if (op === OP.Fsync) {
        // POSITION 1 (ringLayout's FSYNC_DATA) asks for fdatasync.
        if (position === 1) fs.fdatasyncSync(fd);
        else fs.fsyncSync(fd);
      } else if (op === OP.Truncate) {
        fs.ftruncateSync(fd, position);
      } else if (op === OP.Close) {
        fs.closeSync(fd);
      } else if (op === OP.Meta) {
        if (metas.length === 0) pump();
        const request = metas.shift();
        port.postMessage(request === undefined ? failure(new Error("a meta entry arrived without its request")) : meta(request));
      } else if (op === OP.ExitForTest) {
        process.exit(length);
      } else {
        throw new Error(`unknown op ${op}`);
      }
    } catch (error) {
      errno = errnoOf(error);
    }
    i32[entry + L.result] = done;
    i32[entry + L.errno] = errno;
  }

  // ---- path and metadata operations ----

  interface Decided {
    readonly pktioKind: "PermissionDenied" | "NotADirectory";
    readonly message: string;
  }
  function decided(kind: Decided["pktioKind"], message: string): Decided {
    return { pktioKind: kind, message };
  }
  function isDecided(value: unknown): value is Decided {
    return typeof value === "object" && value !== null && "pktioKind" in value;
  }
  function failure(error: unknown): MetaReply {
    if (isDecided(error)) return { ok: false, message: error.message, code: undefined, kind: error.pktioKind };
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    return { ok: false, message: error instanceof Error ? error.message : String(error), code: typeof code === "string" ? code : undefined, kind: undefined };
  }

  function isBeneath(outer: string, inner: string): boolean {
    return inner === outer || inner.startsWith(outer.endsWith(paths.sep) ? outer : outer + paths.sep);
  }

  /**
   * The on-disk half of a directory handle's confinement (the lexical half ran on the main
   * thread): the real path of the deepest existing ancestor must stay beneath the real root.
   * `entry`: the operation acts on the entry itself (rename, remove, mkdir), so a symlink as the
   * last component is not followed: its parent is what must stay beneath the root.
   */
  function confine(root: RootRef | undefined, path: string, op: string, entry = false): string {
    if (root === undefined) return path;
    for (let probe = entry ? paths.dirname(path) : path; ; probe = paths.dirname(probe)) {
      try {
        const real = fs.realpathSync(probe);
        if (!isBeneath(root.real, real)) throw decided("PermissionDenied", `${op}: ${JSON.stringify(paths.relative(root.path, path))} leads outside its directory through a symlink`);
        return path;
      } catch (error) {
        if (isDecided(error) || probe === root.path || probe === paths.dirname(probe)) throw error;
      }
    }
  }

  function fileType(entry: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): "file" | "directory" | "symlink" | "other" {
    return entry.isFile() ? "file" : entry.isDirectory() ? "directory" : entry.isSymbolicLink() ? "symlink" : "other";
  }
  function toFileStat(stats: BigIntStats): unknown {
    return {
      type: fileType(stats),
      size: Number(stats.size),
      mode: Number(stats.mode & 0o7777n),
      modifiedMs: Number(stats.mtimeMs),
      accessedMs: Number(stats.atimeMs),
      createdMs: Number(stats.birthtimeMs),
      inode: stats.ino,
      device: stats.dev,
    };
  }

  function meta(request: MetaRequest): MetaReply {
    try {
      switch (request.op) {
        case "open":
          // O_NOFOLLOW opens (or refuses) a symlink as the last component itself, never what it
          // leads to: its parent is what must stay beneath the root, as for the entry operations.
          return { ok: true, value: fs.openSync(confine(request.root, request.path, "open", (request.flags & fs.constants.O_NOFOLLOW) !== 0), request.flags, request.mode) };
        case "stat":
          return { ok: true, value: toFileStat(fs.statSync(confine(request.root, request.path, "stat"), { bigint: true })) };
        case "fstat":
          return { ok: true, value: toFileStat(fs.fstatSync(request.fd, { bigint: true })) };
        case "readDir": {
          const entries = fs.readdirSync(confine(request.root, request.path, "readDir"), { withFileTypes: true }) as Dirent[];
          return { ok: true, value: entries.map((entry) => ({ name: entry.name, type: fileType(entry) })) };
        }
        case "mkdir":
          fs.mkdirSync(confine(request.root, request.path, "mkdir", true), { recursive: request.recursive });
          return { ok: true, value: undefined };
        case "rename":
          fs.renameSync(confine(request.root, request.from, "rename", true), confine(request.root, request.to, "rename", true));
          return { ok: true, value: undefined };
        case "removeFile":
          fs.unlinkSync(confine(request.root, request.path, "removeFile", true));
          return { ok: true, value: undefined };
        case "removeDir": {
          const path = confine(request.root, request.path, "removeDir", true);
          if (!request.recursive) fs.rmdirSync(path);
          else if (!fs.lstatSync(path).isDirectory()) throw decided("NotADirectory", `removeDir: ${JSON.stringify(path)} is not a directory`);
          else fs.rmSync(path, { recursive: true });
          return { ok: true, value: undefined };
        }
        case "copyFile":
          fs.copyFileSync(confine(request.root, request.from, "copyFile"), confine(request.root, request.to, "copyFile"));
          return { ok: true, value: undefined };
        case "openDir": {
          const path = confine(request.root, request.path, "openDir");
          if (!fs.statSync(path).isDirectory()) throw decided("NotADirectory", `openDir: ${JSON.stringify(path)} is not a directory`);
          return { ok: true, value: fs.realpathSync(path) };
        }
      }
    } catch (error) {
      return failure(error);
    }
  }

  // ---- the loop ----

  // A replacement continues where its predecessor stopped: the entries it had not started.
  let head = Atomics.load(i32, HEAD);
  for (;;) {
    let tail = Atomics.load(i32, TAIL);
    if (tail === head && L.spinMicros > 0) {
      // A short spin before the futex: a sync caller's next request often comes within it.
      const until = performance.now() + L.spinMicros / 1000;
      while ((tail = Atomics.load(i32, TAIL)) === head && performance.now() < until);
    }
    if (tail === head) {
      pump(); // forgets and registrations that arrived while idle
      // Announce the sleep, then look again: the main thread stores TAIL before it reads
      // SLEEPING, so either we see its entry here or it sees SLEEPING and notifies.
      Atomics.store(i32, SLEEPING, 1);
      if (Atomics.load(i32, TAIL) === head) Atomics.wait(i32, TAIL, head);
      Atomics.store(i32, SLEEPING, 0);
      continue;
    }
    while (head !== tail) {
      const entry = RING + (head & MASK) * L.entryWords;
      // STARTED first: a death after it fails this entry as interrupted (Aborted), whether or not
      // the claim below was made. The claim decides between this worker and a cancel on the main
      // thread: a cancelled entry is passed over untouched (its request is settled already, its
      // buffer released).
      Atomics.store(i32, STARTED, head);
      if (Atomics.compareExchange(i32, entry + L.claim, L.claims.Queued, L.claims.Taken) === L.claims.Queued) {
        perform(entry);
      } else if ((i32[entry + L.op] as number) === OP.Meta) {
        // The k-th Meta entry owns the k-th message and the k-th reply: keep both in step.
        if (metas.length === 0) pump();
        metas.shift();
        port.postMessage(failure(new Error("cancelled")));
      }
      head = (head + 1) | 0;
      Atomics.store(i32, HEAD, head);
      Atomics.add(i32, L.completions, 1);
      // Notify only while the main thread says it waits. The flag is never cleared here: a
      // worker that cleared it for a completion the main thread had already taken would leave
      // the next wait without a notify (a lost wake-up seen in testing). Completions that follow
      // before the main thread wakes and clears the flag pay a notify that finds no waiter.
      if (Atomics.load(i32, L.mainWaiting) === 1) Atomics.notify(i32, L.completions);
      if (head === tail) tail = Atomics.load(i32, TAIL);
    }
  }
}
