/**
 * The property-based scenario (issue 11): fast-check generates programs of reads, writes,
 * truncates, split packets sent to several files, aborts before and after submission,
 * deadlines, file closes, runtime closes and background opens, at random depths and sync as
 * well as async, and runs each against the backend (PropertyRunner). Invariants: every packet
 * settles exactly once, bytes match a model file, no fd is left open, every close resolves
 * (bounded by the run's timeout, not by timing), and a cancelled piece fails Aborted/TimedOut
 * or completes with its data, never both.
 *
 * Bounded and reproducible: a fixed seed and a few runs by default. Environment:
 * `PKTIO_PROPERTY_RUNS=N` runs N programs; `PKTIO_SOAK=1` runs 500 with a fresh seed;
 * `PKTIO_PROPERTY_SEED=S` (and `PKTIO_PROPERTY_PATH=P`, from a failure report) replays one.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { has, titled, type BackendCaps } from "./capabilities.js";
import { programOf, type Program } from "./internal/propertyCommands.js";
import { PropertyRunner, type KnownDefect, type RunnerOptions } from "./internal/PropertyRunner.js";
import { RuntimeWorld, TargetWorld, type PropertyWorld } from "./internal/PropertyWorld.js";
import type { Subject } from "./Subject.js";

/**
 * Races a backend still loses on main, each turned off for that backend only, with the branch
 * that fixes it. Remove an entry once that branch is merged: the property then covers it again.
 */
// Defects a backend still has, each gating only its own race or corner (named in the title),
// with the reason; empty since every defect this test found is fixed (docs/design.md §5).
const KNOWN_DEFECTS: Readonly<Record<string, readonly KnownDefect[]>> = {};

const DEFAULT_SEED = 0x5eed11;
const DEFAULT_RUNS = 15;
const SOAK_RUNS = 500;
/** A safety bound per program (a hung close fails the run and shrinks), not a timing assertion. */
const RUN_TIMEOUT_MS = 20_000;

interface PropertyConfig {
  readonly seed: number;
  readonly numRuns: number;
  readonly path: string | undefined;
}

function configFromEnv(env: NodeJS.ProcessEnv): PropertyConfig {
  const soak = env.PKTIO_SOAK === "1";
  const runs = env.PKTIO_PROPERTY_RUNS === undefined ? undefined : Number(env.PKTIO_PROPERTY_RUNS);
  if (runs !== undefined && !(Number.isSafeInteger(runs) && runs > 0)) throw new Error(`PKTIO_PROPERTY_RUNS must be a positive integer, got ${env.PKTIO_PROPERTY_RUNS}`);
  const seedText = env.PKTIO_PROPERTY_SEED;
  const seed = seedText === undefined ? (soak ? (Date.now() ^ (process.pid << 16)) | 0 : DEFAULT_SEED) : Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`PKTIO_PROPERTY_SEED must be an integer, got ${seedText}`);
  return { seed, numRuns: runs ?? (soak ? SOAK_RUNS : DEFAULT_RUNS), path: env.PKTIO_PROPERTY_PATH };
}

/** Registers the property scenario for one backend; `getSubject` is valid once the suite's beforeAll ran. */
export function describeProperties(name: string, getSubject: () => Subject, caps: BackendCaps): void {
  const knownDefects = new Set(KNOWN_DEFECTS[name] ?? []);
  const gated = knownDefects.size === 0 ? "" : ` (gated on main: ${[...knownDefects].join(", ")})`;
  describe("property: random programs against a model", () => {
    const title = `every packet settles once, bytes match the model, closes resolve, no fd leaks${gated}`;
    const config = configFromEnv(process.env);
    // The whole property's bound: every run may use its timeout while shrinking, not forever.
    const budgetMs = 120_000 + config.numRuns * 500;
    it(title, async () => {
      const subject = getSubject();
      const runtimes = subject.openRuntime !== undefined;
      const vocabulary = { sync: has(caps.sync), truncate: true, closeFile: true, closeRuntime: true, strayOpen: runtimes };
      const stats = new Map<string, number>();
      const property = fc.asyncProperty(programOf(vocabulary, 40), (program) => runProgram(name, subject, program, { sync: has(caps.sync), knownDefects, stats }));
      // The seed is printed on every failure (fast-check's report, and the line below) so it reproduces.
      console.info(`property test of ${name}: seed ${config.seed}, ${config.numRuns} runs${config.path === undefined ? "" : `, path ${config.path}`}`);
      await fc.assert(property, {
        seed: config.seed,
        numRuns: config.numRuns,
        timeout: RUN_TIMEOUT_MS,
        interruptAfterTimeLimit: budgetMs,
        markInterruptAsFailure: true,
        ...(config.path === undefined ? {} : { path: config.path }),
        reporter: (details) => {
          if (!details.failed) return;
          throw new Error(`${name}: property failed; replay with PKTIO_PROPERTY_SEED=${details.seed} PKTIO_PROPERTY_PATH=${details.counterexamplePath}\n${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
        },
      });
      console.info(`property test of ${name}: ${[...stats].map(([what, count]) => `${what} ${count}`).join(", ")}`);
    }, budgetMs + 30_000);
    if (!has(caps.sync)) it.skip(titled("sync operations in the programs", caps.sync), () => undefined);
  });
}

/** One program: a fresh world, the runner, then the checks that need everything closed. */
async function runProgram(name: string, subject: Subject, program: Program, options: RunnerOptions): Promise<void> {
  const runner = new PropertyRunner(program, options);
  const before = fdsNow(subject);
  const world: PropertyWorld = subject.openRuntime !== undefined ? new RuntimeWorld(subject, runner.initialContents()) : new TargetWorld(subject);
  try {
    await runner.run(world);
    if (runner.violations.length === 0 && before !== undefined) {
      const after = world.fds() as Set<string>;
      const leaked = [...after].filter((fd) => !before.has(fd));
      if (leaked.length > 0) runner.violations.push(`fds left open after every close resolved: ${leaked.slice(0, 5).join("; ")}`);
    }
  } finally {
    // After a failure things may still be open: close what can be, without waiting on it.
    if (runner.violations.length > 0) world.closeRuntime()?.catch(() => undefined);
    world.dispose();
  }
  if (runner.violations.length > 0) throw new Error(`${name}: ${runner.violations.length} violations:\n  ${runner.violations.slice(0, 8).join("\n  ")}`);
}

function fdsNow(subject: Subject): Set<string> | undefined {
  return subject.openRuntime === undefined ? undefined : RuntimeWorld.openFds();
}
