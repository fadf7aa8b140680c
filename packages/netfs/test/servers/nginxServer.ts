/**
 * nginx (Debian's nginx-light; `.ci/run` installs it) started by the test with a generated
 * config in a temp dir: pid, logs and temp paths there, so it runs without root and leaves
 * nothing behind. One process (`master_process off`), stopped with SIGTERM by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningServer } from "./sendServer.js";

const CANDIDATES = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"];

/** The nginx binary, or undefined when none is installed. */
export function nginxBinary(): string | undefined {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found !== undefined) return found;
  const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() !== "" ? which.stdout.trim() : undefined;
}

/** Why the nginx tests cannot run here, or undefined when they can. */
export function nginxSkipReason(): string | undefined {
  return nginxBinary() === undefined ? "nginx is not installed (apt-get install nginx-light; .ci/run does)" : undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the port accepts a connection; fails after `attempts` tries or when nginx exits. */
async function whenListening(port: number, child: ChildProcess, attempts = 500): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    // Polling a port is waiting for the event (nginx has no readiness signal); bounded above.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`nginx did not listen on ${port}`);
}

/** Serves `root` with nginx on 127.0.0.1; `extra` goes into the server block. */
export async function startNginx(root: string, extra = ""): Promise<RunningServer> {
  const binary = nginxBinary();
  if (binary === undefined) throw new Error("nginx is not installed");
  const prefix = mkdtempSync(join(tmpdir(), "pktio-nginx-"));
  // nginx may read as another user when started by root: the tree must be world-readable.
  chmodSync(prefix, 0o755);
  chmodSync(root, 0o755);
  const port = await freePort();
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  default_type application/octet-stream;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    ${extra}
  }
}
`;
  writeFileSync(join(prefix, "nginx.conf"), config);
  const child = spawn(binary, ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", join(prefix, "error.log")], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await whenListening(port, child);
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    close: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
