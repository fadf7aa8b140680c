/**
 * Runs one generated program against a backend and checks the invariants as it goes: every
 * packet settles exactly once (SettlementLedger), every read returns the model's bytes, every
 * outcome is one the contract allows (an aborted or timed-out piece fails Aborted/TimedOut or
 * completes with data), every close resolves after what it waited for, and the files end as the
 * model says. Operations are issued in program order; one that conflicts with an operation in
 * flight (FileModel's `conflicts`) first waits for it, so that whatever is in flight together
 * commutes and the model, which applies each piece when it settles, stays exact.
 */
import { io, ioSync, Packet, Read, readAt, readAtSync, readExactAt, whenReleased, Write, writeAllAt, writeAllAtSync, type FileHandle, type IoOptions, type PacketIo, type Perm } from "@pktio/core";
import { seededBytes } from "../rng.js";
import { conflicts, FileModel, readSpan, truncateSpan, writeSpan, type Span } from "./FileModel.js";
import type { Cancel, Command, Piece, Program, Via } from "./propertyCommands.js";
import type { Handle, PropertyWorld } from "./PropertyWorld.js";
import { SettlementLedger, type WatchedPacket } from "./SettlementLedger.js";
import { Splitter } from "./Splitter.js";
import { describeError, kindOf, TransferOutcome, type OutcomeSink, type Placed } from "./TransferOutcome.js";

/**
 * Gates for defects another branch fixes, each turning one race or corner off (the table is in
 * propertyScenarios.ts): a truncate in flight under a close; a zero-length write past the end;
 * closeSync with transfers in flight; an open racing the runtime's close; a read cancelled
 * (signal or deadline) after submission; and, as levers for the deadline/abort contract work,
 * any abort or deadline after submission.
 */
export type KnownDefect = "truncate-during-close" | "empty-write-grows" | "close-sync-with-io" | "open-during-runtime-close" | "cancel-in-flight-read" | "abort-in-flight" | "deadline-in-flight";

export interface RunnerOptions {
  readonly sync: boolean;
  readonly knownDefects: ReadonlySet<KnownDefect>;
  /** Counts across runs, for the summary line: what the programs exercised. */
  readonly stats: Map<string, number>;
}

/** An operation in flight: what it touches and when it is done. */
interface Op {
  readonly label: string;
  readonly spans: readonly Span[];
  readonly handles: readonly Handle[];
  readonly truncate: boolean;
  /** The watched packet of an io() transfer; helpers' packets are not visible. */
  readonly packet?: WatchedPacket | undefined;
  /** For a watched packet: whether its pieces sent to `handle` have all settled. */
  readonly settledOn?: ((handle: Handle) => boolean) | undefined;
  done: boolean;
  /** In flight when the runtime closed: Closed is a legal outcome. */
  closing: boolean;
  settled: Promise<void>;
}

export class PropertyRunner implements OutcomeSink {
  readonly ledger = new SettlementLedger();
  #world!: PropertyWorld;
  readonly #program: Program;
  readonly #options: RunnerOptions;
  readonly #models: FileModel[];
  #inFlight: Op[] = [];
  readonly #later: AbortController[] = [];
  /** Closes and background opens to await at the end (and, per file, before a read-back). */
  readonly #background: Promise<void>[] = [];
  /** Background opens not yet settled. */
  readonly #opening = new Set<Promise<unknown>>();
  readonly #closings: Promise<void>[][];
  #nextId = 0;

  constructor(program: Program, options: RunnerOptions) {
    this.#program = program;
    this.#options = options;
    this.#models = program.initialSizes.map((size, file) => new FileModel(seededBytes(size, 0x1f11e + file)));
    this.#closings = program.initialSizes.map(() => []);
  }

  /** Initial bytes of each file, as the model has them. */
  initialContents(): Uint8Array[] {
    return this.#models.map((model) => model.contents());
  }

  get violations(): string[] {
    return this.ledger.violations;
  }

  #report(message: string): void {
    this.ledger.report(message);
  }

  /** Runs the program on `world`, which holds the files `initialContents()` gave. */
  async run(world: PropertyWorld): Promise<void> {
    this.#world = world;
    for (const command of this.#program.commands) {
      await this.#execute(command);
      if (this.violations.length > 0) return;
    }
    for (const controller of this.#later.splice(0)) controller.abort();
    await Promise.all(this.#inFlight.map((op) => op.settled));
    await this.#closeRuntime("at the end", null);
    await Promise.all(this.#background);
    for (let file = 0; file < this.#models.length; file++) this.#check(file, "at the end");
    const unsettled = this.ledger.unsettled();
    if (unsettled.length > 0) this.#report(`packets never settled: ${unsettled.slice(0, 5).join(", ")}`);
  }

  async #execute(command: Command): Promise<void> {
    switch (command.kind) {
      case "transfer": {
        const model = this.#models[command.file] as FileModel;
        // Gated: an empty write past the end stays inside (a no-op either way where the defect is fixed).
        const gated = command.write && command.length === 0 && this.#options.knownDefects.has("empty-write-grows");
        const piece = gated ? { ...command, pos: Math.min(command.pos, model.size) } : command;
        return this.#transfer(command.write, [piece], [0], command.via, command.cancel, command.stale);
      }
      case "split":
        return this.#transfer(command.write, this.#disjoint(command.write, command.pieces), command.order, "io", command.cancel, false);
      case "burst":
        return this.#burst(command);
      case "truncate":
        return this.#truncate(command.file, command.length, command.sync);
      case "abort": {
        const controller = this.#later[this.#later.length - 1 - (command.back % Math.max(1, this.#later.length))];
        controller?.abort();
        return;
      }
      case "wait":
        if (command.what === "all") await Promise.all(this.#inFlight.map((op) => op.settled));
        else if (command.what === "oldest") await this.#inFlight[0]?.settled;
        else if (command.what === "microtask") await Promise.resolve();
        else await new Promise<void>((resolve) => setImmediate(resolve));
        return;
      case "closeFile":
        return this.#closeFile(command.file, command.sync);
      case "closeRuntime":
        return this.#closeRuntime("by the program", command.racingOpen);
      case "strayOpen":
        await this.#world.ready();
        return this.#strayOpen(command.file);
    }
  }

  /** Write pieces of one packet on one file must not overlap (they would not commute): drop the later. */
  #disjoint(write: boolean, pieces: readonly Piece[]): Piece[] {
    if (!write) return [...pieces];
    const kept: Piece[] = [];
    for (const piece of pieces) {
      const overlaps = kept.some((other) => other.file === piece.file && other.pos < piece.pos + piece.length && piece.pos < other.pos + other.length);
      if (!overlaps) kept.push(piece);
    }
    return kept;
  }

  async #burst(command: Extract<Command, { kind: "burst" }>): Promise<void> {
    const cancel = this.#gate(command.cancel, command.write);
    const shared = this.#controllerFor(cancel);
    for (let i = 0; i < command.count; i++) {
      const piece = { file: command.file, pos: command.pos + i * (command.length + command.stride), length: command.length };
      await this.#transfer(command.write, [piece], [0], "io", cancel, false, shared);
    }
    if (cancel.kind === "abortAfter") this.#fireLater(cancel.when, shared as AbortController);
  }

  #controllerFor(cancel: Cancel): AbortController | undefined {
    if (cancel.kind !== "abortBefore" && cancel.kind !== "abortAfter") return undefined;
    const controller = new AbortController();
    if (cancel.kind === "abortBefore") controller.abort();
    return controller;
  }

  #fireLater(when: "now" | "microtask" | "macrotask" | "later", controller: AbortController): void {
    if (when === "now") controller.abort();
    else if (when === "microtask") queueMicrotask(() => controller.abort());
    else if (when === "macrotask") setImmediate(() => controller.abort());
    else this.#later.push(controller);
  }

  /**
   * Waits until `spans` conflict with nothing in flight and with no open effect (which is
   * resolved against the real file first). True if it had to wait: the caller looks again.
   */
  async #waitForConflicts(spans: readonly Span[]): Promise<boolean> {
    for (const span of spans) {
      if (this.#models[span.file]?.uncertainSpans(span.file).some((open) => conflicts(open, span))) {
        await this.#resolve(span.file);
        return true;
      }
    }
    const blocking = this.#inFlight.filter((op) => op.spans.some((a) => spans.some((b) => conflicts(a, b))));
    if (blocking.length === 0) return false;
    await Promise.all(blocking.map((op) => op.settled));
    return true;
  }

  /** Closes every handle of `file`, waits for the closes, and checks the file against the model. */
  async #resolve(file: number): Promise<void> {
    for (;;) {
      const touching = this.#inFlight.filter((op) => op.spans.some((span) => span.file === file) || op.handles.some((handle) => handle.file === file));
      if (touching.length === 0) break;
      await Promise.all(touching.map((op) => op.settled));
    }
    const last = this.#world.last(file);
    if (last !== undefined && !last.closed) this.#closeHandle(last, false);
    await Promise.all(this.#closings[file] as Promise<void>[]);
    this.#check(file, "after its close");
  }

  #check(file: number, when: string): void {
    const actual = this.#world.readBack(file);
    if (actual === undefined) return;
    const problem = (this.#models[file] as FileModel).check(actual);
    if (problem !== undefined) this.#report(`file ${file} ${when}: ${problem}`);
  }

  #track(op: Omit<Op, "done" | "closing" | "settled">, settled: Promise<unknown>): Op {
    const record: Op = { ...op, done: false, closing: false, settled: Promise.resolve() };
    record.settled = settled.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      record.done = true;
      this.#inFlight = this.#inFlight.filter((other) => other !== record);
    });
    this.#inFlight.push(record);
    const stats = this.#options.stats;
    stats.set("operations", (stats.get("operations") ?? 0) + 1);
    stats.set("deepest", Math.max(stats.get("deepest") ?? 0, this.#inFlight.length));
    return record;
  }

  /** Places the pieces on handles and waits out conflicts; loops until both hold at once. */
  async #place(write: boolean, pieces: readonly Piece[], stale: boolean, effectless: boolean): Promise<{ placed: Placed[]; spans: Span[] }> {
    for (;;) {
      const placed: Placed[] = [];
      let offset = 0;
      for (const piece of pieces) {
        const last = this.#world.last(piece.file);
        const useStale = stale && last !== undefined && last.closed;
        const handle = useStale ? (last as Handle) : await this.#world.open(piece.file, () => (this.#models[piece.file] as FileModel).contents());
        placed.push({ ...piece, handle, stale: useStale, offset, expected: new Uint8Array(0), sizeAtIssue: 0, settled: 0 });
        offset += piece.length;
      }
      const spans = effectless
        ? []
        : placed.filter((piece) => !piece.stale).map((piece) => (write ? writeSpan : readSpan)(piece.file, piece.pos, piece.length, (this.#models[piece.file] as FileModel).size));
      if (await this.#waitForConflicts(spans)) continue;
      if (placed.some((piece) => !piece.stale && piece.handle.closed)) continue;
      for (const piece of placed) {
        const model = this.#models[piece.file] as FileModel;
        piece.expected = model.slice(piece.pos, piece.length);
        piece.sizeAtIssue = model.size;
      }
      return { placed, spans };
    }
  }

  async #transfer(write: boolean, pieces: readonly Piece[], order: readonly number[], via: Via, cancel: Cancel, stale: boolean, shared?: AbortController): Promise<void> {
    if (pieces.length === 0) return;
    const sync = via === "sync" || via === "syncPacket";
    // A sync call cannot be aborted after it started; its deadline still applies.
    const effective: Cancel = sync && cancel.kind === "abortAfter" ? { kind: "none" } : this.#gate(cancel, write);
    const { placed, spans } = await this.#place(write, pieces, stale, effective.kind === "abortBefore");
    const id = this.#nextId++;
    const total = placed.reduce((sum, piece) => sum + piece.length, 0);
    const label = `#${id} ${write ? "write" : "read"} ${placed.map((p) => `f${p.file}@${p.pos}+${p.length}${p.stale ? "(closed)" : ""}`).join(",")} via ${via} cancel ${JSON.stringify(effective)}`;
    const data = write ? seededBytes(total, 0x77000 + id) : new Uint8Array(total).fill(0xee);
    const controller = shared ?? this.#controllerFor(effective);
    const options: IoOptions | undefined = effective.kind === "deadline" ? { timeoutMs: effective.ms } : controller === undefined ? undefined : { signal: controller.signal };
    const outcome = new TransferOutcome(this, label, write, placed, data, effective);
    const packet = write ? Packet.wrap(data.slice(), Read) : Packet.wrap(data, Write);
    const single = placed[0] as Placed;
    const target: PacketIo<Perm, number> = placed.length === 1 ? (single.handle.target as PacketIo<Perm, number>) : new Splitter(placed, order);

    if (sync) {
      this.#runSync(outcome, via, target, single, packet, data, options);
      return;
    }
    let settled: Promise<unknown>;
    let watched: WatchedPacket | undefined;
    // An abort or a deadline may answer the caller before the backend lets go (design.md §7):
    // the operation stays in flight for the model until its buffer is released.
    if (via === "io") {
      watched = this.ledger.watch(label, total, (segment) => outcome.segment(segment, data));
      settled = io(target, single.pos, packet as Packet<Perm>, watched, options).then(async (result) => {
        outcome.early(result);
        await packet.released;
        return result;
      });
    } else if (write) {
      const source = data.slice();
      settled = writeAllAt(single.handle.target, single.pos, source, options)
        .then(() => outcome.whole(total), (error: unknown) => outcome.failed(error, false))
        .then(() => whenReleased(source));
    } else {
      const exact = id % 2 === 0;
      const call = exact ? readExactAt(single.handle.target, single.pos, data, options).then(() => total) : readAt(single.handle.target, single.pos, data, options);
      settled = call.then((count) => outcome.count(count, exact), (error: unknown) => outcome.failed(error, exact)).then(() => whenReleased(data));
    }
    const op = this.#track({ label, spans, handles: placed.map((piece) => piece.handle), truncate: false, packet: watched, settledOn: watched === undefined ? undefined : (handle) => placed.every((piece) => piece.handle !== handle || piece.settled >= Math.max(1, piece.length)) }, settled);
    outcome.op = op;
    if (effective.kind === "abortAfter" && shared === undefined) this.#fireLater(effective.when, controller as AbortController);
  }

  #runSync(outcome: TransferOutcome, via: Via, target: PacketIo<Perm, number>, piece: Placed, packet: Packet<Read> | Packet<Write>, data: Uint8Array, options: IoOptions | undefined): void {
    try {
      if (via === "syncPacket") {
        outcome.result(ioSync(target, piece.pos, packet as Packet<Perm>, options), data);
      } else if (outcome.write) {
        writeAllAtSync(piece.handle.target, piece.pos, data.slice(), options);
        outcome.whole(piece.length);
      } else {
        outcome.count(readAtSync(piece.handle.target, piece.pos, data, options), false);
      }
    } catch (error) {
      outcome.failed(error, false);
    }
  }

  /** Cancellation a known defect turns off, so that the rest of the program still runs. */
  #gate(cancel: Cancel, write: boolean): Cancel {
    const afterSubmission = cancel.kind === "abortAfter" || cancel.kind === "deadline";
    if (afterSubmission && !write && this.#options.knownDefects.has("cancel-in-flight-read")) return { kind: "none" };
    if (cancel.kind === "abortAfter" && this.#options.knownDefects.has("abort-in-flight")) return { kind: "none" };
    if (cancel.kind === "deadline" && this.#options.knownDefects.has("deadline-in-flight")) return { kind: "none" };
    return cancel;
  }

  async #truncate(file: number, length: number, sync: boolean): Promise<void> {
    for (;;) {
      const handle = await this.#world.open(file, () => (this.#models[file] as FileModel).contents());
      const spans = [truncateSpan(file, length, (this.#models[file] as FileModel).size)];
      if (await this.#waitForConflicts(spans)) continue;
      if (handle.closed) continue;
      const label = `#${this.#nextId++} truncate f${file} to ${length}${sync ? " (sync)" : ""}`;
      const model = this.#models[file] as FileModel;
      let pending: Promise<void> | undefined;
      try {
        pending = this.#world.truncate(handle, length, sync);
      } catch (error) {
        this.#report(`${label}: threw ${describeError(error)}`);
        return;
      }
      if (pending === undefined) return;
      if (sync) {
        model.truncate(length);
        return;
      }
      // The model changes in the promise the op waits on, so that no conflicting op runs first.
      const holder: { op?: Op } = {};
      const applied = pending.then(
        () => model.truncate(length),
        (error: unknown) => {
          if (holder.op?.closing === true && kindOf(error) === "Closed") model.maybeTruncate(length);
          else this.#report(`${label}: failed ${describeError(error)}`);
        },
      );
      holder.op = this.#track({ label, spans, handles: [handle], truncate: true }, applied);
      return;
    }
  }

  async #closeFile(file: number, sync: boolean): Promise<void> {
    const handle = this.#world.last(file);
    if (handle === undefined || handle.closed) return;
    if (this.#options.knownDefects.has("truncate-during-close")) await this.#truncatesOf((op) => op.handles.includes(handle));
    // Gated: closeSync only once the handle is idle, so that its close is never deferred.
    if (sync && this.#options.knownDefects.has("close-sync-with-io")) await Promise.all(this.#inFlight.filter((op) => op.handles.includes(handle)).map((op) => op.settled));
    if (handle.closed) return;
    this.#closeHandle(handle, sync);
  }

  #closeHandle(handle: Handle, sync: boolean): void {
    const waitedFor = this.#inFlight.filter((op) => op.handles.includes(handle));
    let closing: Promise<void> | undefined;
    try {
      closing = this.#world.close(handle, sync);
    } catch (error) {
      this.#report(`closeSync of f${handle.file} threw ${describeError(error)}`);
      return;
    }
    closing ??= handle.closing;
    if (closing === undefined) return;
    const checked = closing.then(
      () => {
        const early = waitedFor.filter((op) => op.settledOn !== undefined && !op.settledOn(handle));
        if (early.length > 0) this.#report(`close of f${handle.file} resolved before ${early.length} of its operations settled: ${early[0]?.label}`);
      },
      (error: unknown) => this.#report(`close of f${handle.file} rejected: ${describeError(error)}`),
    );
    (this.#closings[handle.file] as Promise<void>[]).push(checked);
    this.#background.push(checked);
  }

  async #truncatesOf(matches: (op: Op) => boolean): Promise<void> {
    if (!this.#inFlight.some((op) => op.truncate && matches(op))) return;
    await Promise.all(this.#inFlight.filter((op) => op.truncate && matches(op)).map((op) => op.settled));
  }

  async #closeRuntime(when: string, racingOpen: number | null): Promise<void> {
    if (this.#options.knownDefects.has("truncate-during-close")) await this.#truncatesOf(() => true);
    for (const op of this.#inFlight) op.closing = true;
    const inFlight = [...this.#inFlight];
    if (this.#options.knownDefects.has("open-during-runtime-close")) await Promise.all(this.#opening);
    // In the same tick as the close: the open's submission may not have reached the backend yet.
    else if (racingOpen !== null) this.#strayOpen(racingOpen);
    const closing = this.#world.closeRuntime();
    if (closing === undefined) return;
    try {
      await closing;
    } catch (error) {
      this.#report(`runtime close ${when} rejected: ${describeError(error)}`);
    }
    // Every packet sent before the close has its result by now (the helpers' promises may lag a tick).
    const unsettled = this.ledger.unsettled();
    if (unsettled.length > 0) {
      this.#report(`runtime close ${when} resolved with ${unsettled.length} packets unsettled: ${unsettled[0]}`);
      return;
    }
    await Promise.all(inFlight.map((op) => op.settled));
    for (let file = 0; file < this.#models.length; file++) {
      await Promise.all(this.#closings[file] as Promise<void>[]);
      this.#check(file, `after the runtime close ${when}`);
    }
  }

  #strayOpen(file: number): void {
    const started = this.#world.strayOpen(file);
    if (started === undefined) return;
    const opening = started.opening;
    this.#opening.add(opening);
    const forget = (): void => void this.#opening.delete(opening);
    opening.then(forget, forget);
    this.#background.push(
      opening.then(
        (handle) =>
          (handle.target as FileHandle).close().catch((error: unknown) => {
            if (kindOf(error) !== "Closed") this.#report(`close of a background open of f${file} rejected: ${describeError(error)}`);
          }),
        (error: unknown) => {
          if (kindOf(error) !== "Closed") this.#report(`background open of f${file} failed: ${describeError(error)}`);
        },
      ),
    );
  }

  /** The model of `file`. */
  model(file: number): FileModel {
    return this.#models[file] as FileModel;
  }

  /** Counts an outcome for the summary line. */
  count(what: string): void {
    this.#options.stats.set(what, (this.#options.stats.get(what) ?? 0) + 1);
  }

  /** Records a violation. */
  report(message: string): void {
    this.#report(message);
  }
}
