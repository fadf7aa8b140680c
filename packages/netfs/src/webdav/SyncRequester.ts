/**
 * Blocking HTTP requests for the `*Sync` twins of `WebDavFs`: a worker thread sends each request
 * with Node's `fetch` and posts the answer on a MessagePort, then wakes the caller, which waits
 * in `Atomics.wait` and takes the message with `receiveMessageOnPort`. The worker starts on the
 * first blocking call, is unref'd (an idle Fs never keeps the process alive) and ends with the
 * Fs. The calling thread is blocked for the whole request, bounded by the headers and body
 * timeouts; it is what a caller of a `*Sync` method asks for.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { IoError } from "@pktio/core";
import { networkError } from "../http/httpErrors.js";
import { redactUrl } from "../http/redactUrl.js";
import { answerTooLarge, BACKEND, type DavAnswer, type DavCall, type DavClient } from "./davRequest.js";

/** The worker: one request at a time, from the port, with fetch; a reply per request, then a wake-up. */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { port, flag } = workerData;
port.on("message", async (request) => {
  let reply;
  try {
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: "manual", signal: AbortSignal.timeout(request.timeoutMs) });
    const chunks = [];
    let length = 0;
    let tooLarge = false;
    if (request.readBody && response.body !== null) {
      for await (const chunk of response.body) {
        length += chunk.length;
        if (length > request.limit) { tooLarge = true; break; }
        chunks.push(chunk);
      }
    } else if (response.body !== null) {
      await response.body.cancel().catch(() => undefined);
    }
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    reply = { status: response.status, headers, bytes: Buffer.concat(chunks), tooLarge };
  } catch (error) {
    const cause = error && error.cause;
    reply = { error: { name: error && error.name, message: String(error && error.message), code: (cause && cause.code) || (error && error.code) } };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly bytes?: Uint8Array;
  readonly tooLarge?: boolean;
  readonly error?: { name?: string; message: string; code?: string };
}

export class SyncRequester {
  readonly #client: DavClient;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  readonly #flag = new Int32Array(new SharedArrayBuffer(4));

  constructor(client: DavClient) {
    this.#client = client;
  }

  /** Sends `call` and blocks until its answer (the body read up to `limit` when `readBody`). */
  request(call: DavCall, readBody: boolean, fileLimit?: number): DavAnswer {
    const limit = fileLimit ?? this.#client.maxListingBytes;
    const port = this.#start();
    const where = redactUrl(call.url);
    const timeoutMs = this.#client.headersTimeoutMs + this.#client.bodyTimeoutMs;
    Atomics.store(this.#flag, 0, 0);
    port.postMessage({ url: call.url.href, method: call.method, headers: { ...this.#client.headers, ...call.headers }, body: call.body, readBody, limit, timeoutMs });
    // The worker's own timeout answers first; this bound only guards against a worker that died.
    if (Atomics.wait(this.#flag, 0, 0, timeoutMs + 5000) === "timed-out") {
      throw new IoError("TimedOut", `${call.op} ${where}: no answer within ${timeoutMs} ms`, { op: call.op, backend: BACKEND, path: where });
    }
    const reply = receiveMessageOnPort(port)?.message as Reply | undefined;
    if (reply === undefined) throw new IoError("Other", `${call.op} ${where}: the request worker gave no answer`, { op: call.op, backend: BACKEND, path: where });
    if (reply.error !== undefined) {
      if (reply.error.name === "TimeoutError") throw new IoError("TimedOut", `${call.op} ${where}: ${reply.error.message}`, { op: call.op, backend: BACKEND, path: where });
      throw networkError(Object.assign(new Error(reply.error.message), reply.error.code === undefined ? {} : { code: reply.error.code }), call.op, where);
    }
    if (reply.tooLarge === true) throw answerTooLarge(call, where, limit, fileLimit === undefined);
    const bytes = Buffer.from(reply.bytes ?? new Uint8Array(0));
    return { status: reply.status ?? 0, headers: reply.headers ?? {}, body: readBody ? bytes.toString("utf8") : "", bytes };
  }

  /** Ends the worker, if one was started. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    await worker?.terminate();
  }

  #start(): MessagePort {
    if (this.#port !== undefined) return this.#port;
    const { port1, port2 } = new MessageChannel();
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, flag: this.#flag }, transferList: [port2] });
    this.#worker.unref();
    port1.unref();
    this.#port = port1;
    return port1;
  }
}
