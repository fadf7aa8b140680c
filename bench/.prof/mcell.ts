import { openUring } from "@pktio/uring";
const [size = "1", inflight = "16384", opts = "{}", sharedArg = "0"] = process.argv.slice(2);
const SIZE = Number(size), N = Number(inflight);
const rt = openUring(JSON.parse(opts));
const file = await rt.fs.open("/tmp/m32.bin");
const mem = sharedArg === "1" ? new SharedArrayBuffer(N * SIZE) : new ArrayBuffer(N * SIZE);
const bufs = Array.from({ length: N }, (_, i) => new Uint8Array(mem, i * SIZE, SIZE));
const FILE = 32 * 1024 * 1024;
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const offs = Array.from({ length: N }, () => Math.floor(rnd() * (FILE - SIZE)));
const round = () => Promise.all(bufs.map((b, i) => file.readAt(offs[i]!, b)));
for (let i = 0; i < 3; i++) await round();
const t0 = process.hrtime.bigint(); let reads = 0;
while (Number(process.hrtime.bigint() - t0) < 1.5e9) { await round(); reads += N; }
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`size ${SIZE} inflight ${N} opts ${opts} shared ${sharedArg}: ${(reads / s / 1000).toFixed(0)}k reads/s`);
await file.close(); await rt.close();
