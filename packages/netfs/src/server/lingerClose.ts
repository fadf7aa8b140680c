/**
 * A lingering close (RFC 9112 §9.6) after a refusal sent before the request body was read (413):
 * a server that closes while the client is still sending makes the kernel answer the unread
 * bytes with a reset, which can destroy the refusal before the client reads it (rclone and the
 * webdav client reported "broken pipe" instead of 413). So the write side is shut down once the
 * answer is out, the body is read and dropped, and the socket closes when the client stops
 * sending, or after LINGER_BYTES more bytes, or LINGER_IDLE_MS without any.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Bytes of a refused body read and dropped, at most, before the connection is closed anyway. */
const LINGER_BYTES = 64 * 1024 * 1024;
/** A client silent this long after the refusal is not sending any more. */
const LINGER_IDLE_MS = 2000;

/** Closes `req`'s connection gracefully once `res` (a refusal with `connection: close`) is sent. */
export function lingerClose(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  let dropped = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const close = (): void => {
    if (idle !== undefined) clearTimeout(idle);
    socket.destroy();
  };
  const rearm = (): void => {
    if (idle !== undefined) clearTimeout(idle);
    idle = setTimeout(close, LINGER_IDLE_MS);
    idle.unref();
  };
  // The request's body flows into the parser; dropping it there keeps the socket reading.
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) close();
    else rearm();
  });
  req.once("end", close);
  req.once("error", close);
  socket.once("close", () => {
    if (idle !== undefined) clearTimeout(idle);
  });
  res.once("finish", rearm);
  // With `connection: close` Node ends the response with socket.destroySoon(), which closes the
  // fd once the answer is written, unread bytes and all (the reset this module avoids): here it
  // only shuts the write side (FIN), and the reading above decides when the socket goes.
  socket.destroySoon = function lingeringEnd(this: typeof socket): void {
    this.end();
  };
  req.resume();
}
