import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openUring, probe } from "../src/index.js";

// io_uring may be refused here (seccomp, old kernel, PKTIO_URING=0): then the suite says why.
const status = probe();
const missing = status.ok ? undefined : { missing: `io_uring is not available: ${status.reason}` };

// All 2048 reads of the abort scenario fit in the ring and go to the kernel within their tick
// (a full batch is submitted at once); cached reads complete inside io_uring_enter.
const hostile = { queuedWhenAborted: { missing: "every read reaches the kernel within its tick, and cached reads complete there" } };
// TCP is on the ring: a blocked readExactSync waits in io_uring_enter like any sync call.
const syncSockets = missing ?? true;
describeBackend("uring", () => ({ openRuntime: () => openUring() }), { sync: missing ?? true, fs: missing ?? true, net: missing ?? true, hostile, syncSockets }, {
  childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openUring" },
  narrowRuntime: () => openUring({ maxInFlight: 1 }),
});
