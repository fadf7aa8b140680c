/**
 * The ownership contract on HTTP files: a read whose buffer the caller detaches while its range
 * is still arriving fails kind InvalidInput on its own; a read served by the same request keeps
 * its bytes, and the file keeps working. Before, the copy's TypeError failed the whole request
 * (kind Other), taking its other reads with it. The server holds the body until the test has
 * detached (it waits for the event, not for time).
 */
import { createServer, type Server } from "node:http";
import { readAt } from "@pktio/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHttpFile } from "../src/index.js";

const data = Buffer.from(Array.from({ length: 1 << 16 }, (_, i) => (i * 13 + 5) & 0xff));

describe("HTTP file reads with a detached buffer", () => {
  let server: Server;
  let port = 0;
  /** While true, each ranged response stops after its first 16 bytes until `release()`. */
  let holding = true;
  const held: (() => void)[] = [];
  const release = (): void => {
    holding = false;
    for (const resume of held.splice(0)) resume();
  };
  let firstBytesSent: () => void = () => undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
      if (req.method === "HEAD" || range === null) {
        res.writeHead(200, { "content-length": data.length, "accept-ranges": "bytes", etag: '"v1"' });
        return void res.end(req.method === "HEAD" ? undefined : data);
      }
      const body = data.subarray(Number(range[1]), Number(range[2]) + 1);
      res.writeHead(206, { "content-length": body.length, "content-range": `bytes ${range[1]}-${range[2]}/${data.length}`, etag: '"v1"' });
      if (!holding) return void res.end(body);
      res.write(body.subarray(0, 16), () => firstBytesSent());
      held.push(() => res.end(body.subarray(16)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("the detached read fails InvalidInput, its neighbour in the same request gets its bytes", async () => {
    const file = await openHttpFile(`http://127.0.0.1:${port}/data.bin`);
    const sent = new Promise<void>((resolve) => (firstBytesSent = resolve));
    const victim = new Uint8Array(4096);
    const neighbour = new Uint8Array(4096);
    // Sent in one tick: adjacent ranges go out as one request.
    const reads = [readAt(file, 0, victim), readAt(file, 4096, neighbour)].map((read) =>
      read.then(
        (count) => ({ count }),
        (error: { kind?: string; message?: string }) => ({ kind: error.kind, message: error.message }),
      ),
    );
    await sent;
    structuredClone(victim.buffer, { transfer: [victim.buffer as ArrayBuffer] });
    release();
    const [first, second] = await Promise.all(reads);
    expect(first).toEqual({ kind: "InvalidInput", message: expect.stringMatching(/detached/) });
    expect(second).toEqual({ count: 4096 });
    expect(Buffer.compare(neighbour, data.subarray(4096, 8192))).toBe(0);
    // The file keeps working.
    const again = new Uint8Array(100);
    expect(await readAt(file, 100, again)).toBe(100);
    expect(Buffer.compare(again, data.subarray(100, 200))).toBe(0);
    await file.close();
  });
});
