import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openLibuv } from "../src/index.js";

// Sync helpers are real on libuv: inside submitSync the file handles use readSync/writeSync.
describeBackend("libuv", () => ({ openRuntime: () => openLibuv() }), { sync: true, fs: true, net: true }, {
  childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openLibuv" },
});
