import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { probe } from "../src/index.js";
import { openPlainUring } from "./fixtures/plainRing.js";

// The whole suite again on the plain ring (submitThread: false), the configuration "auto" picks
// on one CPU, so that both ways of submitting keep every contract (conformance.test.ts runs the default).
const status = probe();
const missing = status.ok ? undefined : { missing: `io_uring is not available: ${status.reason}` };
const hostile = { queuedWhenAborted: { missing: "every read reaches the kernel within its tick, and cached reads complete there" } };
describeBackend("uring (plain ring)", () => ({ openRuntime: () => openPlainUring() }), { sync: missing ?? true, fs: missing ?? true, net: missing ?? true, hostile, syncSockets: missing ?? true }, {
  childRuntime: { module: fileURLToPath(new URL("./fixtures/plainRing.ts", import.meta.url)), exportName: "openPlainUring" },
});
