/** The blocking twins repeat the requests that only read, as the async methods do (webDavFsHostile.test.ts), against the flaky server in a child process. */
import { IoError } from "@pktio/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openWebDavFs } from "../src/webdav/openWebDavFs.js";
import { startChildServer, type ChildServer } from "./servers/childServer.js";

let server: ChildServer;
beforeAll(async () => {
  server = await startChildServer("flakyDavMain.ts", []);
});
afterAll(() => server?.close());

const hitsOf = async (what: string): Promise<number> => Number(await (await fetch(new URL(`hits/${what}`, server.url))).text());

it("statSync repeats a PROPFIND after a 503 or a reset, up to `retries`, then fails with the status's kind", async () => {
  const fs = await openWebDavFs(server.url, { retries: 2, retryDelayMs: 0 });
  try {
    expect(fs.statSync("flaky-2-busy").size).toBe(7);
    expect(await hitsOf("flaky-2-busy")).toBe(3);
    expect(fs.statSync("flaky-1-reset").size).toBe(7);
    expect(await hitsOf("flaky-1-reset")).toBe(2);
    let failure: unknown;
    try {
      fs.statSync("flaky-3-busy");
    } catch (error) {
      failure = error;
    }
    expect(IoError.is(failure) && failure.kind).toBe("Busy");
    expect(await hitsOf("flaky-3-busy")).toBe(3);
  } finally {
    await fs.close();
  }
});
