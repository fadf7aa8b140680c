import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openLibuv, type LibuvRuntime } from "@pktio/libuv";
import { openThreaded } from "../src/index.js";

// Sync helpers are real: blockOn waits in Atomics.wait. Sockets are lent by libuv, as @pktio/rt
// does; each lender is closed after the suite (a threaded runtime leaves a lent net open).
const lenders: LibuvRuntime[] = [];
describeBackend(
  "threaded",
  () => ({
    openRuntime: () => {
      const libuv = openLibuv();
      lenders.push(libuv);
      return openThreaded(undefined, { net: libuv.net, udp: libuv.udp });
    },
    close: async () => {
      for (const libuv of lenders.splice(0)) await libuv.close();
    },
  }),
  { sync: true, fs: true, net: true, syncSockets: { missing: "the lent sockets are libuv's node:net, which cannot block the thread" } },
  { childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openThreaded" } },
);
