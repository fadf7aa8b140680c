/** node:net's tcp-echo server, as bench:net's: every chunk written back. */
import { createServer } from "node:net";
const s = createServer((c) => { c.setNoDelay(true); c.on("error", () => {}); c.on("data", (d) => c.write(d)); });
s.listen(+process.argv[2], "127.0.0.1", () => console.log("ready"));
