import { MemoryIo, MemoryStream } from "@pktio/core";
import { describeBackend, describeStreamDeadlines } from "../src/index.js";

const noFs = { missing: "MemoryIo is one byte store, not a file system" };
const noNet = { missing: "MemoryIo has no sockets" };

// The reference backend: completions on the microtask queue, and on the macrotask queue.
describeBackend("memory", () => ({ open: (initial) => new MemoryIo(initial) }), { sync: true, fs: noFs, net: noNet });
describeBackend("memory (macrotask delivery)", () => ({ open: (initial) => new MemoryIo(initial, { delivery: "macrotask" }) }), { sync: true, fs: noFs, net: noNet }, { storeSize: 4 * 1024 * 1024 });

// The in-memory stream pair runs the stream scenarios that every backend's TCP runs.
describeStreamDeadlines(async () => {
  const [stream, peer] = MemoryStream.pair({ seed: 0x14 });
  return {
    stream,
    send: (bytes) => peer.writeAll(bytes),
    close: async () => {
      await stream.close();
      await peer.close();
    },
  };
}, true);
