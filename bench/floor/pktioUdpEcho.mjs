/** pktio's udp-echo server on a backend (argv: <port> <backend>), as bench:net's with one receive loop. */
import { openRuntime } from "@pktio/rt";
const [port, backend] = process.argv.slice(2);
const rt = await openRuntime({ backends: [backend] });
const socket = await rt.udp.bind({ host: "127.0.0.1", port: Number(port) });
const buffer = new Uint8Array(new SharedArrayBuffer(2048));
console.log("ready");
for (;;) {
  const { length, from } = await socket.recvFrom(buffer);
  await socket.sendTo(buffer.subarray(0, length), from);
}
