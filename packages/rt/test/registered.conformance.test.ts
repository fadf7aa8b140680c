/**
 * The conformance suite through openRuntime on a registered backend: libuv with options of its
 * own under another name, as a third-party backend built from an existing one would be (its
 * runtime and errors keep libuv's name). What a registered backend gets, it gets whole: files,
 * sockets, sync helpers, lifecycle and error scenarios.
 */
import { describeBackend } from "@pktio/conformance";
import { openLibuv } from "@pktio/libuv";
import { openRuntime, registerBackend } from "../src/index.js";

registerBackend("libuv-small", () => openLibuv({ maxInFlight: 64 }), { capabilities: { files: "libuv, at most 64 in flight" } });

describeBackend("registered backend through openRuntime", () => ({ openRuntime: () => openRuntime({ backends: ["libuv-small"] }) }), { sync: true, fs: true, net: true }, { storeSize: 8 * 1024 * 1024 });
