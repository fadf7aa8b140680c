/** Running the CLI in tests: in this process with captured streams, or as a child process. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/index.js";

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const main = join(packageDir, "src", "main.ts");

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

export async function runHere(argv: readonly string[]): Promise<Outcome> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * The real executable from sources, as `pnpm --filter @pktio/cli pktio` runs it. A run that hangs
 * gets SIGTERM, on which the bench still removes its scratch directory.
 */
export function runChild(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "--conditions=pktio-source", main, ...argv], { cwd: packageDir, env, maxBuffer: 64 * 1024 * 1024, timeout: 50_000, killSignal: "SIGTERM" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A temp directory, removed by the returned function. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), "pktio-cli-test-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** `length` seeded pseudo-random bytes. */
export function seededBytes(length: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
