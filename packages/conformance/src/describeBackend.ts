/**
 * `describeBackend(name, factory, caps)`: the whole conformance suite as one vitest `describe`.
 * A backend's test file calls it once; capabilities it lacks skip their scenarios with the
 * stated reason, and everything else runs.
 */
import type { RandomAccess, Runtime } from "@pktio/core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { has, titled, type BackendCaps } from "./capabilities.js";
import { describeConfinement } from "./confinementScenarios.js";
import { describeAbortAfterSubmission, describeDeadlines } from "./deadlineScenarios.js";
import { describeErrors, describeNetErrors } from "./errorScenarios.js";
import { describeFacade } from "./facadeScenarios.js";
import { describeFs } from "./fsScenarios.js";
import { describeHostile } from "./hostileScenarios.js";
import { describeLifecycle, type ChildRuntime } from "./lifecycleScenarios.js";
import { describeMappedAddresses } from "./mappedAddressScenarios.js";
import { misuseScenarios } from "./misuseScenarios.js";
import { HOST, connectThroughNode } from "./internal/NetPeers.js";
import { describeNet } from "./netScenarios.js";
import { describeSocketDetach } from "./socketDetachScenarios.js";
import { describeNoSpace } from "./noSpaceScenarios.js";
import { describeCreateMode } from "./createModeScenarios.js";
import { storeScenarios } from "./packetScenarios.js";
import { describePathSlots } from "./pathSlotScenarios.js";
import { describeFileConveniences, describeRanges } from "./rangeScenarios.js";
import { describeProperties } from "./propertyScenarios.js";
import { seededBytes } from "./rng.js";
import { programScenarios, runners } from "./programScenarios.js";
import { describeStreamDeadlines } from "./streamDeadlineScenarios.js";
import { describeUdp } from "./udpScenarios.js";
import { streamScenarios } from "./streamScenarios.js";
import { fileTargets, type Subject, type SubjectFactory } from "./Subject.js";
import { syncScenarios } from "./syncScenarios.js";
import { writeScenarios } from "./writeScenarios.js";

export interface SuiteOptions {
  /** Size of the seeded read-only store and of each big fixture file; 64 MiB by default. */
  readonly storeSize?: number;
  /** Packets per scenario, all in flight at once in concurrent mode; 256 by default. */
  readonly inFlight?: number;
  /** How a child process opens this backend's runtime, for the exit-by-itself scenario. */
  readonly childRuntime?: ChildRuntime;
  /** A runtime of this backend with a single runtime-wide slot (`maxInFlight: 1`), for the slots-per-path scenario. */
  readonly narrowRuntime?: () => Runtime | Promise<Runtime>;
}

const MODES = ["seq", "con"] as const;

export function describeBackend(name: string, factory: SubjectFactory, caps: BackendCaps, options: SuiteOptions = {}): void {
  const storeSize = options.storeSize ?? 64 * 1024 * 1024;
  const count = options.inFlight ?? 256;

  describe(`conformance: ${name}`, () => {
    let subject: Subject;
    let runtime: Runtime | undefined;
    let targets: Required<Pick<Subject, "open">> & Pick<Subject, "release" | "close">;
    let store: RandomAccess;
    let reference: Uint8Array;
    const opened: RandomAccess[] = [];
    const open = async (initial: Uint8Array): Promise<RandomAccess> => {
      const target = await targets.open(initial);
      opened.push(target);
      return target;
    };
    const openRuntime = async (): Promise<Runtime> => {
      if (subject.openRuntime === undefined) throw new Error(`${name}: the subject has no openRuntime, yet fs or net is claimed`);
      return subject.openRuntime();
    };
    const getRuntime = (): Runtime => {
      if (runtime === undefined) throw new Error(`${name}: no runtime was opened`);
      return runtime;
    };

    beforeAll(async () => {
      subject = await factory();
      if (subject.openRuntime !== undefined) runtime = await subject.openRuntime();
      const { open: openTarget, release } = subject;
      if (openTarget !== undefined) targets = { open: openTarget.bind(subject), ...(release === undefined ? {} : { release: release.bind(subject) }) };
      else if (runtime !== undefined) targets = fileTargets(runtime);
      else throw new Error(`${name}: the subject needs open() or openRuntime()`);
      reference = seededBytes(storeSize, 0x5eed);
      store = await open(reference);
    });
    afterAll(async () => {
      for (const target of opened) await targets.release?.(target);
      await targets.close?.();
      await runtime?.close();
      await subject.close?.();
    });

    describe("packets over a seeded store", () => {
      for (const [title, scenario] of Object.entries(storeScenarios)) {
        for (const mode of MODES) it(`${title} (${mode})`, () => scenario({ target: store, reference, mode, count }));
      }
    });

    describe("writes", () => {
      for (const [title, scenario] of Object.entries(writeScenarios)) {
        for (const mode of MODES) it(`${title} (${mode})`, () => scenario({ open, mode, count }));
      }
    });

    describe("sync driving", () => {
      for (const [title, scenario] of Object.entries(syncScenarios)) {
        // A backend that cannot block says why; the async scenarios above still cover it.
        it.skipIf(!has(caps.sync))(titled(title, caps.sync), () => scenario(open, store, reference));
      }
    });

    describe("joined programs", () => {
      for (const [title, scenario] of Object.entries(programScenarios)) {
        it(`${title} (async)`, () => scenario(store, reference, runners.async));
        it.skipIf(!has(caps.sync))(titled(`${title} (sync)`, caps.sync), () => scenario(store, reference, runners.sync));
      }
    });

    describeAbortAfterSubmission(() => store, () => reference);

    describe("bad input", () => {
      for (const [title, scenario] of Object.entries(misuseScenarios)) it(title, () => scenario(store));
    });

    describe("streams", () => {
      for (const [title, scenario] of Object.entries(streamScenarios)) it(title, () => scenario(store, reference));
    });

    describeRanges(() => store, () => reference, caps.sync);

    describeProperties(name, () => subject, caps);

    if (has(caps.fs)) {
      describeFs(getRuntime, storeSize);
      describeDeadlines(getRuntime);
      describePathSlots(getRuntime, options.narrowRuntime);
      describeConfinement(getRuntime);
      describeNoSpace(getRuntime);
      describeCreateMode(getRuntime);
      describeLifecycle(openRuntime, getRuntime, options.childRuntime);
      describeErrors(openRuntime, getRuntime);
      describeFileConveniences(getRuntime, caps.sync);
      describeFacade(getRuntime);
    } else {
      it.skip(titled("file system, lifecycle and error-kind scenarios", caps.fs), () => undefined);
    }

    if (has(caps.net)) {
      describeNet(getRuntime, count);
      describeNetErrors(getRuntime);
      describeUdp(getRuntime);
      describeSocketDetach(getRuntime);
      describeMappedAddresses(getRuntime);
      describeStreamDeadlines(() => connectThroughNode((port) => getRuntime().net.connect({ host: HOST, port })), caps.syncSockets ?? { missing: "the backend declares no synchronous sockets" });
    }
    else it.skip(titled("network scenarios", caps.net), () => undefined);

    describeHostile({ open, openRuntime: has(caps.fs) ? openRuntime : undefined, caps: caps.hostile ?? {} });
  });
}
