import { MemoryIo } from "@pktio/core";
import { describeBackend } from "../src/index.js";

const noFs = { missing: "MemoryIo is one byte store, not a file system" };
const noNet = { missing: "MemoryIo has no sockets" };

// The reference backend: completions on the microtask queue, and on the macrotask queue.
describeBackend("memory", () => ({ open: (initial) => new MemoryIo(initial) }), { sync: true, fs: noFs, net: noNet });
describeBackend("memory (macrotask delivery)", () => ({ open: (initial) => new MemoryIo(initial, { delivery: "macrotask" }) }), { sync: true, fs: noFs, net: noNet }, { storeSize: 4 * 1024 * 1024 });
