/** A process that used openWebDavFs (blocking twins too) and never closed it exits by itself. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { startChildServer } from "./servers/childServer.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

it("a process with an unclosed WebDavFs and a started request worker exits by itself", async () => {
  const root = mkdtempSync(join(tmpdir(), "pktio-davfs-exit-"));
  const server = await startChildServer("davServerMain.ts", ["pktio", root]);
  try {
    // The exec timeout only fails a hang (the exit is the event waited for).
    const outcome = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ["--import", "tsx", "--conditions=pktio-source", join(packageDir, "test", "servers", "syncClientMain.ts"), server.url], { cwd: packageDir, timeout: 50_000 }, (_error, stdout) => resolve({ code: child.exitCode, stdout }));
    });
    expect(outcome).toEqual({ code: 0, stdout: "directory directory\n" });
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});
