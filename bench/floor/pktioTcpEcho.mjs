/** pktio's tcp-echo server on a backend (argv: <port> <backend>), as bench:net's: read, writeAll, into shared memory. */
import { openRuntime } from "@pktio/rt";
const [port, backend] = process.argv.slice(2);
const rt = await openRuntime({ backends: [backend] });
const listener = await rt.net.listen({ host: "127.0.0.1", port: Number(port) });
void (async () => {
  for await (const stream of listener) {
    void (async () => {
      const buffer = new Uint8Array(new SharedArrayBuffer(64 * 1024));
      try {
        for (let count = await stream.read(buffer); count > 0; count = await stream.read(buffer)) await stream.writeAll(buffer.subarray(0, count));
      } catch {
        // the client went away
      }
      await stream.close();
    })();
  }
})();
console.log("ready");
