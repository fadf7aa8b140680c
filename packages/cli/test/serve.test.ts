/** `pktio serve`: argument checks in process, and the real executable serving a directory until SIGTERM. */
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageDir, runHere, tempDir } from "./helpers.js";

describe("pktio serve", () => {
  it("checks its arguments (exit 2, the problem named)", async () => {
    expect((await runHere(["serve"])).stderr).toMatch(/pktio serve: needs exactly one DIR/);
    const keyOnly = await runHere(["serve", "--key", "k.pem", "."]);
    expect(keyOnly.code).toBe(2);
    expect(keyOnly.stderr).toMatch(/--key and --cert go together/);
    expect((await runHere(["serve", "--port", "70000", "."])).stderr).toMatch(/--port: expected a whole number from 0 to 65535/);
    expect((await runHere(["serve", "--token", "x", "."])).stderr).toMatch(/unknown option --token/);
    expect((await runHere(["serve", "--max-body", "lots", "."])).stderr).toMatch(/--max-body: expected a size/);
    // Set but empty (a token file that was not there, `$(cat missing)`): refused, never served open.
    const saved = process.env["PKTIO_SERVE_TOKEN"];
    process.env["PKTIO_SERVE_TOKEN"] = "";
    try {
      const empty = await runHere(["serve", "--port", "0", "."]);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toMatch(/PKTIO_SERVE_TOKEN is set but empty/);
    } finally {
      if (saved === undefined) delete process.env["PKTIO_SERVE_TOKEN"];
      else process.env["PKTIO_SERVE_TOKEN"] = saved;
    }
    const help = await runHere(["serve", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: pktio serve \[options\] DIR/);
  });

  it("a --key or --cert that is not PEM, or a pair that does not match, is exit 2 naming the option, before anything is served", async () => {
    const dir = tempDir();
    try {
      const fixtures = join(packageDir, "..", "netfs", "test", "fixtures");
      const [key, cert] = [join(fixtures, "test-key.pem"), join(fixtures, "test-cert.pem")];
      const junk = join(dir.path, "junk.pem");
      writeFileSync(junk, "not a pem file\n");
      const other = join(dir.path, "other-key.pem");
      writeFileSync(other, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }));
      const cases: Array<[string[], RegExp]> = [
        [["--key", junk, "--cert", cert], /^pktio serve: --key: .*junk\.pem is not a PEM private key/],
        [["--key", key, "--cert", junk], /^pktio serve: --cert: .*junk\.pem is not a PEM certificate/],
        // The certificate given as the key: a PEM file, but no private key.
        [["--key", cert, "--cert", cert], /^pktio serve: --key: /],
        // A private key of its own, not the certificate's.
        [["--key", other, "--cert", cert], /^pktio serve: --key and --cert do not go together/],
      ];
      for (const [options, message] of cases) {
        const out = await runHere(["serve", "--port", "0", ...options, dir.path]);
        expect(out.code, options.join(" ")).toBe(2);
        expect(out.stderr).toMatch(message);
        expect(out.stderr.trim().split("\n")).toHaveLength(1);
        expect(out.stdout).toBe("");
      }
    } finally {
      dir.remove();
    }
  });

  it("serves a directory with a token from a file, logs without the token, and exits 0 on SIGTERM", async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, "a.txt"), "served by the cli\n");
      writeFileSync(join(dir.path, "token"), "cli-secret-token\n");
      const child = spawn(process.execPath, ["--import", "tsx", "--conditions=pktio-source", join(packageDir, "src", "main.ts"), "serve", "--port", "0", "--token-file", join(dir.path, "token"), dir.path], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = / at (http:\/\/\S+) /.exec(stdout);
          if (match !== null) resolve(match[1] as string);
        });
        child.on("exit", (code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
      });
      expect(stdout).toMatch(/bearer token required/);
      const get = (authorization: string): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const req = request(new URL("a.txt", url), { headers: { authorization }, agent: false }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on("error", reject);
          req.end();
        });
      expect(await get("Bearer wrong")).toMatchObject({ status: 401 });
      expect(await get("Bearer cli-secret-token")).toEqual({ status: 200, body: "served by the cli\n" });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/GET \/a\.txt 401 /);
      expect(stderr).toMatch(/GET \/a\.txt 200 18 /);
      expect(stderr).not.toContain("cli-secret-token");
    } finally {
      dir.remove();
    }
  });
});
