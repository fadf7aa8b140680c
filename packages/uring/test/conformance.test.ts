import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openUring, probe } from "../src/index.js";

// io_uring may be refused here (seccomp, old kernel, PKTIO_URING=0): then the suite says why.
const status = probe();
const missing = status.ok ? undefined : { missing: `io_uring is not available: ${status.reason}` };

// Issue 11, failing on main and fixed on branch uring: remove these flags when merging it.
const fixedOnBranchUring = (item: string): { missing: string } => ({ missing: `fixed on branch uring (issue 11 ${item})` });
const hostile = {
  detachMidRead: fixedOnBranchUring("item 1"),
  abortAfterSubmit: fixedOnBranchUring("items 8, 9"),
  closeWithStuckRead: fixedOnBranchUring("item 7"),
};
describeBackend("uring", () => ({ openRuntime: () => openUring() }), { sync: missing ?? true, fs: missing ?? true, net: missing ?? true, hostile }, {
  childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openUring" },
});
