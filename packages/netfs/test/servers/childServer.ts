/** Starts a test server in a child process (a script that prints its URL on one line) and stops it with SIGTERM. */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A server in a child process: the URL it printed, and how to stop it (resolves once it exited). */
export interface ChildServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Runs `node --import tsx --conditions=pktio-source SCRIPT ...args` and waits for its URL line. */
export async function startChildServer(script: string, args: readonly string[]): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=pktio-source", join(packageDir, "test", "servers", script), ...args], { cwd: packageDir, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", (line) => resolve(line.trim()));
    void exited.then(() => reject(new Error(`${script} exited before it printed its URL`)));
  });
  return {
    url,
    async close() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
