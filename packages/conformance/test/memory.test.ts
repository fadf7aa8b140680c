import { MemoryIo } from "@pktio/core";
import { describeBackend } from "../src/index.js";

// The reference backend: completions on the microtask queue, and on the macrotask queue.
describeBackend("memory", () => ({ open: (initial) => new MemoryIo(initial) }), { sync: true });
describeBackend("memory (macrotask delivery)", () => ({ open: (initial) => new MemoryIo(initial, { delivery: "macrotask" }) }), { sync: true }, { storeSize: 4 * 1024 * 1024 });
