import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { openBackend } from "@pktio/rt";
function detach(bytes: Uint8Array): void { const b = bytes.buffer as ArrayBuffer; structuredClone(b, { transfer: [b] }); }
const timeout = <T,>(p: Promise<T>) => Promise.race([p, new Promise((r) => setTimeout(() => r("TIMEOUT"), 500))]);
process.on("uncaughtException", (e) => console.log("  UNCAUGHT", String(e)));
for (const name of ["uring", "libuv", "threaded"] as const) {
  for (const opts of name === "uring" ? [{}, { directDatagrams: false }] : [{}]) {
    const rt = openBackend(name, { [name]: opts });
    console.log(name, JSON.stringify(opts));
    // UDP
    const socket = await rt.udp.bind({ host: "127.0.0.1", port: 0 });
    const first = socket.recvFrom(new Uint8Array(64)).then((d) => d.length);
    const victim = new Uint8Array(64);
    const second = socket.recvFrom(victim).then((d) => "ok " + d.length, (e) => "err " + e.kind);
    const third = socket.recvFrom(new Uint8Array(64)).then((d) => d.length);
    detach(victim);
    const peer = createSocket("udp4");
    for (let i = 1; i <= 3; i++) await new Promise((r) => peer.send(new Uint8Array(8).fill(i), socket.localAddress.port, "127.0.0.1", r));
    console.log("  udp recv", await timeout(first), await timeout(second), await timeout(third));
    const sv = new Uint8Array(16);
    const sp = socket.sendTo(sv, { host: "127.0.0.1", port: peer.address().port });
    detach(sv);
    console.log("  udp send detached after call", await timeout(sp.then((n) => "ok " + n, (e) => "err " + e.kind)));
    peer.close(); await socket.close();
    // TCP
    const server = createServer((s) => { s.write(Buffer.from("abcdefgh")); setTimeout(() => s.write(Buffer.from("ijkl")), 50); });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const stream = await rt.net.connect({ host: "127.0.0.1", port: (server.address() as any).port });
    const r1buf = new Uint8Array(4), v = new Uint8Array(4), r3buf = new Uint8Array(4);
    const r1 = stream.read(r1buf).then((n) => n);
    const r2 = stream.read(v).then((n) => "ok " + n, (e) => "err " + e.kind);
    const r3 = stream.read(r3buf).then((n) => n + " " + Buffer.from(r3buf).toString());
    detach(v);
    console.log("  tcp read", await timeout(r1), await timeout(r2), await timeout(r3));
    await stream.close(); server.close();
    await rt.close();
  }
}
