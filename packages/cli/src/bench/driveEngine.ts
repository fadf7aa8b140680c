/**
 * Runs an engine to a plan: every slot keeps one operation in flight (an async engine) or the one
 * slot runs operations back to back (a sync engine) until the plan says stop; an error from the
 * plan ends the run once what is in flight has come back, so no buffer is touched while a backend
 * still owns it.
 */
import type { AsyncEngine, SyncEngine } from "./Engine.js";

export interface Plan {
  /** Where each slot's current operation goes and whether it writes; set by `next`. */
  readonly pos: Float64Array;
  readonly write: Uint8Array;
  /** Chooses the slot's next operation at time `now` (ms); false when the slot is finished. */
  next(slot: number, now: number): boolean;
  /** Takes the slot's completed operation; returns an error to stop the run. */
  done(slot: number, transferred: number, error: unknown, now: number): Error | undefined;
}

export function driveAsync(engine: AsyncEngine, plan: Plan): Promise<void> {
  return new Promise((resolve, reject) => {
    const slots = engine.buffers.length;
    let running = slots;
    let failure: Error | undefined;
    // A completion reported inside `start` is queued and launched after it returns, so that an
    // engine that completes synchronously cannot grow the stack one frame per operation.
    let starting = false;
    const ready: number[] = [];
    const finishSlot = (): void => {
      if (--running === 0) {
        if (failure === undefined) resolve();
        else reject(failure);
      }
    };
    const launch = (first: number, now: number): void => {
      let slot: number | undefined = first;
      while (slot !== undefined) {
        if (failure !== undefined || !plan.next(slot, now)) finishSlot();
        else {
          starting = true;
          try {
            engine.start(slot, plan.pos[slot]!, plan.write[slot] === 1);
          } catch (error) {
            failure ??= error instanceof Error ? error : new Error(String(error));
            finishSlot();
          } finally {
            starting = false;
          }
        }
        slot = ready.pop();
        if (slot !== undefined) now = performance.now();
      }
    };
    engine.onComplete = (slot, transferred, error) => {
      const now = performance.now();
      const problem = plan.done(slot, transferred, error, now);
      if (problem !== undefined) failure ??= problem;
      if (starting) ready.push(slot);
      else launch(slot, now);
    };
    const now = performance.now();
    for (let slot = 0; slot < slots; slot++) launch(slot, now);
  });
}

export function driveSync(engine: SyncEngine, plan: Plan): void {
  let now = performance.now();
  while (plan.next(0, now)) {
    let transferred = 0;
    let error: unknown;
    try {
      transferred = engine.run(0, plan.pos[0]!, plan.write[0] === 1);
    } catch (thrown) {
      error = thrown;
    }
    now = performance.now();
    const problem = plan.done(0, transferred, error, now);
    if (problem !== undefined) throw problem;
  }
}
