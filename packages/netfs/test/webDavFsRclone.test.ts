/**
 * openWebDavFs against rclone's WebDAV server (`rclone serve webdav`, Go's x/net/webdav), a
 * third-party server started by the test on loopback where rclone is installed (CI installs it:
 * .ci/run). Skipped with that reason where it is absent. Its directory cache is off: the tests
 * also change the served tree behind its back.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, it } from "vitest";
import { describeWebDavFs } from "./webDavFsScenarios.js";

const RCLONE = "/usr/bin/rclone";

if (existsSync(RCLONE)) {
  describeWebDavFs("rclone serve webdav", async (root) => {
    const child = spawn(RCLONE, ["serve", "webdav", root, "--addr", "127.0.0.1:0", "--dir-cache-time", "0s"], { env: { PATH: process.env["PATH"], HOME: root, RCLONE_CONFIG: "/dev/null" }, stdio: ["ignore", "ignore", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stderr });
      lines.on("line", (line) => {
        const match = /started on (http:\/\/\S+\/)/.exec(line);
        if (match !== null) resolve(match[1] as string);
      });
      child.once("exit", (code) => reject(new Error(`rclone serve webdav exited ${code} before it listened`)));
    });
    return {
      url,
      close: () =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    };
  });
} else {
  describe("openWebDavFs against rclone serve webdav", () => {
    it.skip("skipped: rclone is not installed (apt-get install rclone, as .ci/run does)", () => undefined);
  });
}
