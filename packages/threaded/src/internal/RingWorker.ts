/**
 * One request ring and the worker thread serving it, as the main thread sees them. The ring
 * outlives its threads: when a worker dies, a replacement is started on the same ring and picks
 * up at HEAD, so the requests the dead one had not started are not lost. Each ring has one
 * producer (the main thread) and one consumer (its worker), so no compare-and-swap is needed
 * anywhere, and a death is attributed exactly: the only request a dead worker can have
 * interrupted is the one at HEAD, and only if STARTED says it began it.
 */
import { existsSync } from "node:fs";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { MetaReply, PortMessage } from "./messages.js";
import type { Request } from "./Request.js";
import { WorkerState, workerBase, type RingLayout } from "./ringLayout.js";
import type { WorkerData } from "./workerMain.js";
import { WORKER_SOURCE } from "./workerSource.js";

/** The shared buffers every worker is started with. */
export interface SharedMemory {
  readonly layout: RingLayout;
  readonly control: SharedArrayBuffer;
}

export class RingWorker {
  readonly index: number;
  /** Int32 indices of this ring's words in the control buffer. */
  readonly TAIL: number;
  readonly HEAD: number;
  readonly SLEEPING: number;
  readonly STARTED: number;
  readonly STATE: number;
  readonly TID: number;
  /** Int32 index of entry 0. */
  readonly ring: number;
  readonly mask: number;
  /** The request behind each entry, by `position & mask`. */
  readonly records: (Request | undefined)[];
  /** The main thread's copy of TAIL: entries published. */
  tail = 0;
  /** Entries whose completion the main thread has processed; `tail - consumed` are in this ring. */
  consumed = 0;
  /** Slow calls (fsync, truncate, path operations) among this ring's entries. */
  slow = 0;
  /** True when entries were published since the worker was last woken. */
  unflushed = false;
  /** How the current thread ended, for the error its interrupted request gets. */
  exitNote = "";
  /** True once close() gave up on a thread stuck in a call: no request is sent here again. */
  abandoned = false;
  readonly #memory: SharedMemory;
  readonly #i32: Int32Array;
  #worker: Worker | undefined = undefined;
  #port: MessagePort | undefined = undefined;
  /** Shared buffer ids the current thread has been sent. */
  #known = new Set<number>();
  /** Every Worker this ring started whose 'exit' event has not fired yet (Node joins the thread before it). */
  readonly #unjoined = new Set<Worker>();

  constructor(memory: SharedMemory, i32: Int32Array, index: number) {
    const layout = memory.layout;
    const base = workerBase(layout, index);
    this.index = index;
    this.TAIL = base + layout.tail;
    this.HEAD = base + layout.head;
    this.SLEEPING = base + layout.sleeping;
    this.STARTED = base + layout.started;
    this.STATE = base + layout.state;
    this.TID = base + layout.tid;
    this.ring = base + layout.ring;
    this.mask = layout.ringSlots - 1;
    this.records = Array.from({ length: layout.ringSlots }, () => undefined);
    this.#memory = memory;
    this.#i32 = i32;
  }

  /** Entries published and not yet consumed. */
  get load(): number {
    return (this.tail - this.consumed) | 0;
  }

  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** The current thread's id as Node numbers it, or -1 when none runs (tests). */
  get threadId(): number {
    return this.#worker?.threadId ?? -1;
  }

  /**
   * Threads this ring started that Node has not joined yet, current or retired (tests). /proc
   * cannot tell this: a joined thread can linger in /proc/self/task while the kernel reaps it.
   */
  get unjoinedThreads(): number {
    return this.#unjoined.size;
  }

  /** Int32 index of the entry at `position`. */
  entry(position: number): number {
    return this.ring + (position & this.mask) * this.#memory.layout.entryWords;
  }

  /**
   * Starts a thread on this ring. `onExit` is called once if it ends on its own (a death);
   * a thread ended by `stop` or `retire` is forgotten first and never reported.
   */
  start(ref: boolean, onExit: (code: number, error: unknown) => void): void {
    const i32 = this.#i32;
    Atomics.store(i32, this.STATE, WorkerState.Spawning);
    Atomics.store(i32, this.TID, 0);
    Atomics.store(i32, this.SLEEPING, 0);
    // STARTED must differ from HEAD until the new thread begins an entry.
    Atomics.store(i32, this.STARTED, (Atomics.load(i32, this.HEAD) - 1) | 0);
    const { port1, port2 } = new MessageChannel();
    const data: WorkerData = { layout: this.#memory.layout, index: this.index, control: this.#memory.control, port: port2 };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: data,
      transferList: [port2],
      name: `pktio-threaded-${this.index}`,
      // Loaders and flags of the parent (tsx, --conditions) would only slow the start down.
      execArgv: [],
      // Node would close the fds a worker opened when it exits; these fds belong to the runtime
      // and outlive any one worker (a replacement keeps serving the files its predecessor opened).
      trackUnmanagedFds: false,
    });
    let error: unknown;
    worker.on("error", (thrown) => (error = thrown));
    this.#unjoined.add(worker);
    worker.on("exit", (code) => {
      this.#unjoined.delete(worker);
      if (this.#worker === worker) onExit(code, error);
    });
    if (!ref) worker.unref();
    // Replies are taken with receiveMessageOnPort only; the port never keeps the process alive.
    port1.unref();
    this.#worker = worker;
    this.#port = port1;
    this.#known = new Set();
  }

  setRef(ref: boolean): void {
    if (ref) this.#worker?.ref();
    else this.#worker?.unref();
  }

  post(message: PortMessage): void {
    this.#port?.postMessage(message);
  }

  /** Sends a shared buffer to the current thread unless it has it already. */
  share(id: number, buffer: SharedArrayBuffer): void {
    if (this.#known.has(id)) return;
    this.#known.add(id);
    this.post({ t: "buffer", id, buffer });
  }

  forget(id: number): void {
    if (this.#known.delete(id)) this.post({ t: "forget", id });
  }

  /** The reply of the oldest Meta entry completed and not yet answered. */
  takeReply(): MetaReply | undefined {
    const port = this.#port;
    return port === undefined ? undefined : (receiveMessageOnPort(port)?.message as MetaReply | undefined);
  }

  /** Wakes the worker if it sleeps and entries were published since it was last woken. */
  flush(): void {
    if (!this.unflushed) return;
    this.unflushed = false;
    if (Atomics.load(this.#i32, this.SLEEPING) === 1) Atomics.notify(this.#i32, this.TAIL, 1);
  }

  /**
   * True when the current thread has certainly ended: its exit handler ran, or (terminate()
   * runs no handler) its Linux thread is gone. Works while the main thread blocks, when no
   * 'exit' event can be delivered.
   */
  isGone(checkThread: boolean): boolean {
    if (this.#worker === undefined) return false;
    if (Atomics.load(this.#i32, this.STATE) === WorkerState.Exited) return true;
    if (!checkThread) return false;
    const tid = Atomics.load(this.#i32, this.TID);
    return tid > 0 && !existsSync(`/proc/self/task/${tid}`);
  }

  /** True when the current thread reached its loop (it did not die while starting). */
  get started(): boolean {
    return Atomics.load(this.#i32, this.STATE) !== WorkerState.Spawning;
  }

  /**
   * Forgets the current thread (dead or not) and makes sure it ends; its port is dropped.
   * Resolves once the thread has exited.
   */
  retire(): Promise<unknown> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    return worker === undefined ? Promise.resolve() : worker.terminate().catch(() => undefined);
  }

  /**
   * Gives up on a thread stuck in a call (runtime close): it is terminated, which takes effect
   * only once its call returns, and unreferenced, so it never keeps the process alive. The ring
   * is never used again: the thread may still store HEAD once its call returns.
   */
  abandon(): void {
    const worker = this.#worker;
    this.abandoned = true;
    void this.retire();
    worker?.unref();
  }

  /** Terminates the current thread without forgetting it, so that its death is found as any other (tests). */
  async terminateForTest(): Promise<void> {
    await this.#worker?.terminate();
  }

  /** Ends the current thread for good (runtime close) and resolves once it has exited. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}
