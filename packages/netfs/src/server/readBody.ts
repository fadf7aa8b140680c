/**
 * Request bodies read with a bound: a declared Content-Length over the limit is refused before
 * a byte is read, and a chunked body is counted as it arrives and refused the moment it passes
 * the limit. Either way the answer is 413 and the connection is closed, so the rest of an
 * oversized body is never read.
 */
import type { IncomingMessage } from "node:http";

/** A request the server answers with `status` instead of handling it. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpRefusal";
  }
}

/** The declared body length, or `undefined` for a chunked body; 413 when it is over `limit`. */
export function declaredLength(req: IncomingMessage, limit: number): number | undefined {
  const header = req.headers["content-length"];
  if (header === undefined) return req.headers["transfer-encoding"] === undefined ? 0 : undefined;
  if (!/^\d{1,15}$/.test(header)) throw new HttpRefusal(400, "malformed Content-Length");
  const length = Number(header);
  if (length > limit) throw new HttpRefusal(413, `the body is over the limit of ${limit} bytes`, { connection: "close" });
  return length;
}

/** Whether the request carries a body (a declared length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

/**
 * Delivers the body chunk by chunk to `sink` (awaited, so a slow disk slows the client down);
 * throws HttpRefusal 413 once more than `limit` bytes arrived.
 */
export async function pumpBody(req: IncomingMessage, limit: number, sink: (chunk: Uint8Array) => Promise<void>): Promise<number> {
  declaredLength(req, limit);
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) throw new HttpRefusal(413, `the body is over the limit of ${limit} bytes`, { connection: "close" });
    await sink(chunk);
  }
  return received;
}

/** The whole body as text, for small XML bodies (PROPFIND). */
export async function readSmallBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  await pumpBody(req, limit, async (chunk) => {
    chunks.push(Buffer.from(chunk));
  });
  return Buffer.concat(chunks).toString("utf8");
}
