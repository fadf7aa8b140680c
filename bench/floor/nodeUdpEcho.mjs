/** node:dgram's udp-echo server, as bench:net's: every datagram back to its sender. */
import { createSocket } from "node:dgram";
const s = createSocket("udp4"); s.on("message", (m, r) => s.send(m, r.port, r.address)); s.bind(+process.argv[2], "127.0.0.1", () => console.log("ready"));
