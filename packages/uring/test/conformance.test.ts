import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openUring, probe } from "../src/index.js";

// io_uring may be refused here (seccomp, old kernel, PKTIO_URING=0): then the suite says why.
const status = probe();
const missing = status.ok ? undefined : { missing: `io_uring is not available: ${status.reason}` };

describeBackend("uring", () => ({ openRuntime: () => openUring() }), { sync: missing ?? true, fs: missing ?? true, net: missing ?? true }, {
  childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openUring" },
});
