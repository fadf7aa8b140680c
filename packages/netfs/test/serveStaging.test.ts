/**
 * Where `pktio serve` stages an upload (helper finding, 2026-12-08): in the root, which no
 * request moves, but beside the target when the root cannot take it. A root its user cannot
 * write (here: the server runs as nobody, the root is root's, a collection in it nobody's) made
 * every PUT and COPY 403 once uploads were staged in the root; now they go beside the target.
 */
import { spawn } from "node:child_process";
import { chownSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { send } from "./serveFixture.js";

const NOBODY = 65534;
const child = fileURLToPath(new URL("./fixtures/serveChild.ts", import.meta.url));
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const base = mkdtempSync(join(tmpdir(), "pktio-staging-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Starts the child server as `uid` on `root`; resolves with its URL and a stop function. */
function serveAs(uid: number, root: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = spawn(process.execPath, ["--import", "tsx", "--conditions=pktio-source", child, root], { cwd: packageDir, uid, gid: uid, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, HOME: base } });
  let stderr = "";
  server.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    server.stdout.setEncoding("utf8").once("data", (text: string) => {
      const exited = new Promise<void>((done) => server.once("exit", () => done()));
      resolve({ url: text.trim(), stop: () => (server.stdin.end(), exited) });
    });
    server.once("exit", (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
  });
}

describe("serveDirectory: where uploads are staged", () => {
  it("a root the server cannot write: PUT and COPY into a writable collection stage beside the target and succeed; into the root itself, 403", async (context) => {
    if (process.getuid?.() !== 0) return context.skip("needs root, to run the server as another user (nobody)");
    chmodSync(base, 0o755);
    const root = join(base, "root");
    mkdirSync(join(root, "up"), { recursive: true });
    writeFileSync(join(root, "up", "source.txt"), "copied");
    chmodSync(root, 0o555);
    chownSync(join(root, "up"), NOBODY, NOBODY);
    chownSync(join(root, "up", "source.txt"), NOBODY, NOBODY);
    const { url, stop } = await serveAs(NOBODY, root);
    try {
      expect((await send(url, "PUT", "/up/new.txt", {}, "uploaded")).status).toBe(201);
      expect((await send(url, "PUT", "/up/new.txt", {}, "replaced")).status).toBe(204);
      expect((await send(url, "COPY", "/up/source.txt", { destination: "/up/copy.txt" })).status).toBe(201);
      expect((await send(url, "PUT", "/in-root.txt", {}, "refused")).status).toBe(403);
      expect(readFileSync(join(root, "up", "new.txt"), "utf8")).toBe("replaced");
      expect(readFileSync(join(root, "up", "copy.txt"), "utf8")).toBe("copied");
      expect(readdirSync(root).sort()).toEqual(["up"]);
      expect(readdirSync(join(root, "up")).sort()).toEqual(["copy.txt", "new.txt", "source.txt"]);
    } finally {
      await stop();
      chmodSync(root, 0o755);
    }
  });
});
