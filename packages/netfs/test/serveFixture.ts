/** A served temp tree for the server tests: files, a nested directory, symlinks in and out. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runtime } from "@pktio/core";
import { openRuntime } from "@pktio/rt";
import { serveDirectory, type DirectoryServer } from "../src/server/serveDirectory.js";
import type { ServeOptions } from "../src/server/ServeOptions.js";

/** 100 000 bytes whose values are their position modulo 251 (a prime, so ranges never repeat by accident). */
export const BIG = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);

export interface Served {
  readonly root: string;
  /** A directory beside the root, with a secret file that must never be served. */
  readonly outside: string;
  readonly server: DirectoryServer;
  readonly runtime: Runtime;
  readonly log: string[];
  close(): Promise<void>;
}

/** Makes the tree and serves it with `options` (plus the runtime and a log collector). */
export async function serveTree(options: Omit<ServeOptions, "runtime"> = {}, backends?: string[]): Promise<Served> {
  const base = mkdtempSync(join(tmpdir(), "pktio-serve-"));
  const root = join(base, "root");
  const outside = join(base, "outside");
  mkdirSync(join(root, "dir/sub"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "SECRET\n");
  writeFileSync(join(root, "hello.txt"), "hello, pktio\n");
  writeFileSync(join(root, "big.bin"), BIG);
  writeFileSync(join(root, "dir/a b&c.txt"), "spaces and ampersand\n");
  writeFileSync(join(root, "dir/sub/deep.txt"), "deep\n");
  symlinkSync(join(outside, "secret.txt"), join(root, "escape.txt"));
  symlinkSync(outside, join(root, "escape-dir"));
  symlinkSync("hello.txt", join(root, "inside-link.txt"));
  const runtime = await openRuntime(backends === undefined ? undefined : { backends });
  const log: string[] = [];
  const server = await serveDirectory(root, { ...options, runtime, log: (line) => log.push(line) });
  return {
    root,
    outside,
    server,
    runtime,
    log,
    async close() {
      await server.close();
      await runtime.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request with node:http exactly as given (the path is sent unnormalised). */
export function send(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array | string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Writes `bytes` on a raw connection and collects what comes back until the server closes it. */
export function rawExchange(url: string, bytes: string, keepOpen = false): Promise<{ text: string; socket: Socket }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
    socket.on("close", () => resolve({ text: Buffer.concat(chunks).toString("latin1"), socket }));
    if (!keepOpen) socket.on("end", () => socket.end());
  });
}
