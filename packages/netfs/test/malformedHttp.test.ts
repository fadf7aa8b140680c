/**
 * Answers no HTTP server should send, from a raw TCP server of our own (node:http would not send
 * them): each one fails InvalidData, at open or at the read, and is never retried into bytes.
 * Found by a hostile-server test (helper-22): undici's parser errors came back as kind Other, a
 * total length past 2^53 was taken as the file's size, a HEAD's gzip length as the file's.
 */
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openHttpFile } from "../src/index.js";

type Answer = (request: string, socket: Socket) => void;

let server: Server | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
});

/** A server that answers each request head with `answer` (the head's text, the socket). */
async function rawServer(answer: Answer): Promise<string> {
  server = createServer((socket) => {
    let head = "";
    socket.on("error", () => undefined);
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1");
      while (head.includes("\r\n\r\n")) {
        const end = head.indexOf("\r\n\r\n");
        const request = head.slice(0, end);
        head = head.slice(end + 4);
        answer(request, socket);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/f`;
}

const HEAD_OK = "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\netag: \"v1\"\r\n\r\n";
const kindOf = (promise: Promise<unknown>): Promise<string | undefined> => promise.then(() => "ok", (error: unknown) => (error as { kind?: string }).kind);

describe("answers that do not parse, or lie about the file, are InvalidData", () => {
  const broken: Record<string, string> = {
    "a bad status line": "HTTP/1.1 abc\r\n\r\n",
    "not HTTP at all": "SSH-2.0-OpenSSH_9.2\r\n",
    "a negative Content-Length": "HTTP/1.1 206 Partial\r\ncontent-range: bytes 0-9/1000\r\ncontent-length: -5\r\n\r\n",
    "a header without a colon": "HTTP/1.1 206 Partial\r\ncontent-range bytes 0-9/1000\r\n\r\n",
    "a bad chunk size": "HTTP/1.1 206 Partial\r\ncontent-range: bytes 0-9/1000\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    "a 200 KB header": `HTTP/1.1 206 Partial\r\nx-big: ${"a".repeat(200_000)}\r\n\r\n`,
  };
  for (const [what, reply] of Object.entries(broken)) {
    it(`a read answered with ${what}`, async () => {
      const url = await rawServer((request, socket) => (request.startsWith("HEAD") ? socket.write(HEAD_OK) : socket.end(reply)));
      const file = await openHttpFile(url, { retries: 0 });
      try {
        expect(await kindOf(file.readAt(0, new Uint8Array(10)))).toBe("InvalidData");
      } finally {
        await file.close();
      }
    });
  }

  it("a read answered with two different Content-Range headers (the first one right) fails, and no byte of it is kept", async () => {
    const body = "x".repeat(10);
    const url = await rawServer((request, socket) =>
      request.startsWith("HEAD") ? socket.write(HEAD_OK) : socket.write(`HTTP/1.1 206 Partial\r\ncontent-range: bytes 0-9/1000\r\ncontent-range: bytes 900-909/1000\r\netag: "v1"\r\ncontent-length: 10\r\n\r\n${body}`),
    );
    const file = await openHttpFile(url, { retries: 0 });
    try {
      const dst = new Uint8Array(10);
      expect(await kindOf(file.readAt(0, dst))).toBe("InvalidData");
      expect(dst.every((byte) => byte === 0)).toBe(true);
    } finally {
      await file.close();
    }
  });

  it("an open whose first byte names a total past 2^53, or 0-0 of an empty file, fails", async () => {
    for (const total of ["99999999999999999999", "0"]) {
      const url = await rawServer((request, socket) =>
        request.startsWith("HEAD") ? socket.write("HTTP/1.1 405 No\r\ncontent-length: 0\r\n\r\n") : socket.write(`HTTP/1.1 206 Partial\r\ncontent-range: bytes 0-0/${total}\r\ncontent-length: 1\r\n\r\nx`),
      );
      expect(await kindOf(openHttpFile(url, { retries: 0 })), total).toBe("InvalidData");
      server?.close();
    }
  });

  it("an open whose HEAD sends the length of a gzip body fails (it is not the file's)", async () => {
    const url = await rawServer((request, socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 500\r\ncontent-encoding: gzip\r\netag: \"v1\"\r\n\r\n"));
    expect(await kindOf(openHttpFile(url, { retries: 0 }))).toBe("InvalidData");
  });
});
