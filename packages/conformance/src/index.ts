/**
 * @pktio/conformance: the one vitest suite every backend runs, plus its tools (seeded fixtures,
 * a fault-injecting middleware) for backend authors' own tests.
 */
export { has, reasonOf, type BackendCaps, type Capability } from "./capabilities.js";
export { describeBackend, type SuiteOptions } from "./describeBackend.js";
export { describeHostile, type HostileCaps, type HostileSubject } from "./hostileScenarios.js";
export type { ChildRuntime } from "./lifecycleScenarios.js";
export { FaultyIo, type FaultPlan } from "./FaultyIo.js";
export { describeFs } from "./fsScenarios.js";
export { describeNet } from "./netScenarios.js";
export { describeStreamDeadlines, type ConnectedStream, type ConnectStream } from "./streamDeadlineScenarios.js";
export { describeUdp } from "./udpScenarios.js";
export { describeSocketDetach } from "./socketDetachScenarios.js";
export { equalBytes } from "./packetScenarios.js";
export { Rng, seededBytes } from "./rng.js";
export { repeat, type Subject, type SubjectFactory } from "./Subject.js";
