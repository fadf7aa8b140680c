/**
 * Drives the tcp-echo floor servers as bench:net's tcp-echo does (64 connections, 1 KiB each way,
 * ROUNDS rounds, every echo compared) and prints each server's CPU per request (user + system
 * from /proc/<pid>/stat) beside node:net's. ONLY=a,b picks contenders, REPS the repetitions.
 * Run from bench/floor after `bash build.sh`.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { once } from "node:events";
import { readFileSync } from "node:fs";
const rounds = +(process.env.ROUNDS ?? 2000);
let port = 20000 + Math.floor(Math.random() * 20000);
function cpu(pid) { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return { u: +f[11], s: +f[12] }; }
async function trial(cmd, args, env) {
  port += 7;
  const child = spawn(cmd, [...args.map((a) => a === "PORT" ? String(port) : a)], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  await new Promise((r) => child.stdout.on("data", (d) => d.toString().includes("ready") && r()));
  const sockets = await Promise.all(Array.from({ length: 64 }, async () => { const s = connect({ host: "127.0.0.1", port, noDelay: true }); await once(s, "connect"); return s; }));
  const before = cpu(child.pid); const t0 = process.hrtime.bigint();
  await Promise.all(sockets.map(async (socket, index) => {
    const message = Buffer.alloc(1024, index);
    for (let round = 0; round < rounds; round++) {
      message.writeUInt32BE(round, 0); socket.write(message);
      const chunks = []; let received = 0;
      while (received < 1024) { const [c] = await once(socket, "data"); chunks.push(c); received += c.length; }
      if (!Buffer.concat(chunks).equals(message)) throw new Error("changed");
    }
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9; const after = cpu(child.pid);
  for (const s of sockets) s.destroy(); child.kill(); await once(child, "exit");
  const ops = 64 * rounds; const u = (after.u - before.u) * 1e4 / ops, s = (after.s - before.s) * 1e4 / ops;
  return { rate: Math.round(ops / secs), cpuUs: +(u + s).toFixed(2), kernelUs: +s.toFixed(2) };
}
const contenders = {
  node: ["node", ["nodeTcpEcho.mjs", "PORT"]],
  pktioUring: ["node", ["pktioTcpEcho.mjs", "PORT", "uring"]],
  epoll: ["./build/tcpEchoEpoll", ["PORT"]],
  uringSingle: ["./build/tcpEchoUring", ["PORT", "0"]],
  uringMulti: ["./build/tcpEchoUring", ["PORT", "1"]],
  uringMultiRingSend: ["./build/tcpEchoUring", ["PORT", "2"]],
  uringMultiDefer: ["./build/tcpEchoUring", ["PORT", "1"], { DEFER: "1" }],
  uringSingleDefer: ["./build/tcpEchoUring", ["PORT", "0"], { DEFER: "1" }],
  uringSingleEvfd: ["./build/tcpEchoUring", ["PORT", "0"], { EVFD: "1" }],
  uringSingleDeferEvfd: ["./build/tcpEchoUring", ["PORT", "0"], { DEFER: "1", EVFD: "1" }],
  uringSingleDeferRingfd: ["./build/tcpEchoUring", ["PORT", "0"], { DEFER: "1", RINGFD: "1" }],
  uringMultiDeferRingfd: ["./build/tcpEchoUring", ["PORT", "1"], { DEFER: "1", RINGFD: "1" }],
  uringMultiDeferEvfd: ["./build/tcpEchoUring", ["PORT", "1"], { DEFER: "1", EVFD: "1" }],
};
// The two DEFER_TASKRUN rows waiting in epoll are left out by default: the kernel does not
// signal the eventfd (nor the ring fd) for deferred task work, so they crawl or stall.
const only = (process.env.ONLY ?? "node,pktioUring,epoll,uringSingle,uringMulti,uringMultiRingSend,uringSingleEvfd,uringSingleDefer,uringMultiDefer").split(",");
for (let r = 0; r < +(process.env.REPS ?? 2); r++)
  for (const name of only) { const [c, a, e] = contenders[name]; console.log(name, JSON.stringify(await trial(c, a, e))); }
