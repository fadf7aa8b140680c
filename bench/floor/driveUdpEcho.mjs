/**
 * Drives the udp-echo floor servers as bench:net's udp-echo does (16 clients ping-ponging 64-byte
 * datagrams, ROUNDS each, a lost one resent after 200 ms) and prints each server's CPU per
 * datagram beside node:dgram's. Run from bench/floor after `bash build.sh`.
 */
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { readFileSync } from "node:fs";
const rounds = +(process.env.ROUNDS ?? 4000);
let port = 20000 + Math.floor(Math.random() * 20000);
function cpu(pid) { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return { u: +f[11], s: +f[12] }; }
async function trial(cmd, args) {
  port += 7;
  const child = spawn(cmd, args.map((a) => a === "PORT" ? String(port) : a), { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((r) => child.stdout.on("data", (d) => d.toString().includes("ready") && r()));
  const clients = await Promise.all(Array.from({ length: 16 }, async () => { const c = createSocket("udp4"); c.bind(0, "127.0.0.1"); await once(c, "listening"); return c; }));
  const before = cpu(child.pid); const t0 = process.hrtime.bigint(); let resent = 0;
  await Promise.all(clients.map(async (c, i) => {
    const m = Buffer.alloc(64, i);
    for (let r = 0; r < rounds; r++) {
      m.writeUInt32BE(r, 0);
      for (;;) { c.send(m, port, "127.0.0.1"); const sig = AbortSignal.timeout(200);
        try { for (;;) { const [rep] = await once(c, "message", { signal: sig }); if (rep.readUInt32BE(0) === r) break; } break; } catch { resent++; } }
    }
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9; const after = cpu(child.pid);
  for (const c of clients) c.close(); child.kill(); await once(child, "exit");
  const ops = 16 * rounds; const u = (after.u - before.u) * 1e4 / ops, s = (after.s - before.s) * 1e4 / ops;
  return { rate: Math.round(ops / secs), cpuUs: +(u + s).toFixed(2), kernelUs: +s.toFixed(2), resent };
}
const contenders = { node: ["node", ["nodeUdpEcho.mjs", "PORT"]], pktioUring: ["node", ["pktioUdpEcho.mjs", "PORT", "uring"]], epoll: ["./build/udpEcho", ["PORT", "e"]], uringWaitInEnter: ["./build/udpEcho", ["PORT", "u"]], uringEventfd: ["./build/udpEcho", ["PORT", "v"]] };
for (let r = 0; r < +(process.env.REPS ?? 2); r++) for (const [name, [c, a]] of Object.entries(contenders)) console.log(name, JSON.stringify(await trial(c, a)));
