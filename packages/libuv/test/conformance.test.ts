import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openLibuv } from "../src/index.js";

// Sync helpers are real on libuv: inside submitSync the file handles use readSync/writeSync.
// Issue 11 items 7 and 8, not fixed on libuv yet (remove each flag with its fix).
const hostile = {
  abortAfterSubmit: { missing: "libuv ignores a signal fired after submission, even for reads it has not started (issue 11 item 8)" },
  closeWithStuckOpen: { missing: "an open of a FIFO without a writer blocks a libuv thread-pool thread and close() waits for it (issue 11 item 7)" },
};
describeBackend("libuv", () => ({ openRuntime: () => openLibuv() }), { sync: true, fs: true, net: true, hostile }, {
  childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openLibuv" },
});
