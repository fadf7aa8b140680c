import { fileURLToPath } from "node:url";
import { describeBackend } from "@pktio/conformance";
import { openLibuv, type LibuvRuntime } from "@pktio/libuv";
import { openThreaded } from "../src/index.js";

// Sync helpers are real: blockOn waits in Atomics.wait. Sockets are lent by libuv, as @pktio/rt
// does, and closed with the runtime as rt closes them (a threaded runtime alone leaves a lent net
// open); each lender is closed after the suite as well.
const lenders: LibuvRuntime[] = [];
describeBackend(
  "threaded",
  () => ({
    openRuntime: () => {
      const libuv = openLibuv();
      lenders.push(libuv);
      const threaded = openThreaded(undefined, { net: libuv.net, udp: libuv.udp });
      return { ...threaded, close: async () => void (await Promise.all([threaded.close(), libuv.close()])) };
    },
    close: async () => {
      for (const libuv of lenders.splice(0)) await libuv.close();
    },
  }),
  { sync: true, fs: true, net: true, syncSockets: { missing: "the lent sockets are libuv's node:net, which cannot block the thread" } },
  { childRuntime: { module: fileURLToPath(new URL("../src/index.ts", import.meta.url)), exportName: "openThreaded" } },
);
