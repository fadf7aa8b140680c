/**
 * `describeBackend(name, factory, caps)`: the whole conformance suite as one vitest `describe`.
 * A backend's test file calls it once; capabilities it lacks skip their scenarios with the
 * stated reason, and everything else runs.
 */
import type { RandomAccess } from "@pktio/core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { has, reasonOf, type BackendCaps } from "./capabilities.js";
import { misuseScenarios } from "./misuseScenarios.js";
import { storeScenarios } from "./packetScenarios.js";
import { seededBytes } from "./rng.js";
import { streamScenarios } from "./streamScenarios.js";
import type { Subject, SubjectFactory } from "./Subject.js";
import { syncScenarios } from "./syncScenarios.js";
import { writeScenarios } from "./writeScenarios.js";

export interface SuiteOptions {
  /** Size of the seeded read-only store; 64 MiB by default. */
  readonly storeSize?: number;
  /** Packets per scenario, all in flight at once in concurrent mode; 256 by default. */
  readonly inFlight?: number;
}

const MODES = ["seq", "con"] as const;

export function describeBackend(name: string, factory: SubjectFactory, caps: BackendCaps, options: SuiteOptions = {}): void {
  const storeSize = options.storeSize ?? 64 * 1024 * 1024;
  const count = options.inFlight ?? 256;

  describe(`conformance: ${name}`, () => {
    let subject: Subject;
    let store: RandomAccess;
    let reference: Uint8Array;
    const opened: RandomAccess[] = [];
    const open = async (initial: Uint8Array): Promise<RandomAccess> => {
      const target = await subject.open(initial);
      opened.push(target);
      return target;
    };

    beforeAll(async () => {
      subject = await factory();
      reference = seededBytes(storeSize, 0x5eed);
      store = await open(reference);
    });
    afterAll(async () => {
      for (const target of opened) await subject.release?.(target);
      await subject.close?.();
    });

    describe("packets over a seeded store", () => {
      for (const [title, scenario] of Object.entries(storeScenarios)) {
        for (const mode of MODES) {
          it(`${title} (${mode})`, () => scenario({ target: store, reference, mode, count }));
        }
      }
    });

    describe("writes", () => {
      for (const [title, scenario] of Object.entries(writeScenarios)) {
        for (const mode of MODES) {
          it(`${title} (${mode})`, () => scenario({ open, mode, count }));
        }
      }
    });

    describe("sync driving", () => {
      for (const [title, scenario] of Object.entries(syncScenarios)) {
        // A backend without blockOn reports why; the async scenarios above still cover it.
        it.skipIf(!has(caps.sync))(`${title}${has(caps.sync) ? "" : ` (skipped: ${reasonOf(caps.sync)})`}`, () => scenario(open, store, reference));
      }
    });

    describe("bad input", () => {
      for (const [title, scenario] of Object.entries(misuseScenarios)) it(title, () => scenario(store));
    });

    describe("streams", () => {
      for (const [title, scenario] of Object.entries(streamScenarios)) it(title, () => scenario(store, reference));
    });
  });
}
