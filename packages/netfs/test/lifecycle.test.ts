/**
 * Lifecycle: an HttpFile never keeps the process alive once its reads are done (closed or not:
 * undici's idle keep-alive sockets are unreferenced), and close() is idempotent and final.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHttpFile } from "../src/index.js";
import { seededBytes } from "./servers/fixture.js";
import { startFaultServer, type FaultServer } from "./servers/faultServer.js";

const here = dirname(fileURLToPath(import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
let server: FaultServer;

beforeAll(async () => {
  server = await startFaultServer(seededBytes(200_000, 7));
});
afterAll(async () => {
  await server?.close();
});

/** Runs the child and resolves with its exit code and output; the child has 20 s to exit by itself. */
function runChild(mode: "close" | "leave-open"): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsx, "--conditions=pktio-source", join(here, "fixtures", "exitChild.ts"), server.baseUrl + "ok", mode], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // A safety bound that fails the test, not a synchronisation: a child that hangs is killed.
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe("lifecycle", () => {
  for (const mode of ["close", "leave-open"] as const) {
    it(`the process exits by itself after its reads (${mode === "close" ? "file closed" : "file left open"})`, async () => {
      const { code, signal, stdout, stderr } = await runChild(mode);
      expect(signal, stderr).toBeNull();
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ read: 16 });
    });
  }

  it("close() is idempotent; after it every operation fails Closed", async () => {
    const file = await openHttpFile(server.baseUrl + "ok");
    const first = file.close();
    expect(file.close()).toBe(first);
    await first;
    expect(file.closed).toBe(true);
    await expect(file.readAt(0, new Uint8Array(1))).rejects.toMatchObject({ kind: "Closed" });
    await expect(file.stat()).rejects.toMatchObject({ kind: "Closed" });
  });

  it("sync helpers say they need a blocking backend (Unsupported), not a hang", () => {
    return openHttpFile(server.baseUrl + "ok").then(async (file) => {
      try {
        expect(() => file.readAtSync(0, new Uint8Array(4))).toThrow(expect.objectContaining({ kind: "Unsupported" }));
      } finally {
        await file.close();
      }
    });
  });
});
