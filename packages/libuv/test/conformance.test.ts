import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openLibuv } from "../src/index.js";

// Sync helpers are real on libuv: inside submitSync the file handles use readSync/writeSync.
// Sockets are node:net's: their completions come from libuv's loop, which a blocked thread never runs.
const syncSockets = { missing: "node:net sockets complete on libuv's loop, which cannot run while the thread blocks" };
describeBackend("libuv", () => ({ openRuntime: () => openLibuv() }), { sync: true, fs: true, net: true, syncSockets }, {
  childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openLibuv" },
  narrowRuntime: () => openLibuv({ maxInFlight: 1 }),
});
