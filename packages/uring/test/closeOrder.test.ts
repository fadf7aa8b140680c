/**
 * A socket's CLOSE waits for every operation on its fd, SHUTDOWN included. The kernel runs a
 * SHUTDOWN on its worker threads and looks the fd up only there: a CLOSE submitted before the
 * SHUTDOWN completed lets it shut down the next socket that gets the same number (seen as EPIPE
 * on a fresh stream's first write). A recorder on the backend checks the order for every close
 * path: a close with a receive in flight, a close right after an unawaited shutdown, a close
 * with both directions busy, and a UDP close with receives armed.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Completion, Operation, UringBackend } from "../src/UringBackend.js";
import { openUring, probe, type UringRuntime } from "../src/index.js";

const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;
const HOST = "127.0.0.1";
/** An operation's outcome, with its handler attached at once (a close rejects it before anyone awaits it). */
const outcome = (promise: Promise<unknown>): Promise<string> => promise.then(() => "done", (error: { kind?: string }) => String(error.kind));

/** Every fd's operations between their submission and their completion, and the CLOSEs that came too early. */
class CloseOrderRecorder {
  readonly early: string[] = [];
  closes = 0;
  readonly #outstanding = new Map<number, Map<number, number>>();

  constructor(backend: UringBackend) {
    const submit = backend.submit.bind(backend);
    const { CLOSE } = backend.opcodes;
    backend.submit = (operation: Operation, done: Completion): void => {
      const { fd, opcode } = operation;
      if (opcode === CLOSE) {
        const busy = [...(this.#outstanding.get(fd) ?? new Map<number, number>())].filter(([, count]) => count > 0);
        if (busy.length > 0) this.early.push(`CLOSE of fd ${fd} while opcodes ${busy.map(([op, count]) => `${op}×${count}`).join(", ")} were in the kernel`);
        this.closes++;
        return submit(operation, done);
      }
      const counts = this.#outstanding.get(fd) ?? new Map<number, number>();
      this.#outstanding.set(fd, counts);
      counts.set(opcode, (counts.get(opcode) ?? 0) + 1);
      const settle = (): void => void counts.set(opcode, (counts.get(opcode) ?? 1) - 1);
      if (typeof done === "function") {
        return submit(operation, (result) => {
          settle();
          done(result);
        });
      }
      // Objects keep their identity (cancel finds them by their ticket): only their complete is wrapped.
      const complete = done.complete.bind(done);
      done.complete = (result: number): void => {
        settle();
        complete(result);
      };
      return submit(operation, done);
    };
  }
}

describe.skipIf(!status.ok)(`uring sockets close their fd after every operation on it${why}`, () => {
  const servers: Server[] = [];
  const peers: Socket[] = [];
  let rt: UringRuntime | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    for (const peer of peers.splice(0)) peer.destroy();
    await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  /** A runtime with a recorder, and a stream of it connected to a node:net peer that never writes. */
  async function connected(): Promise<{ recorder: CloseOrderRecorder; connect: () => Promise<Awaited<ReturnType<UringRuntime["net"]["connect"]>>> }> {
    const runtime = openUring();
    rt = runtime;
    const recorder = new CloseOrderRecorder(runtime.io);
    const server = createServer({ allowHalfOpen: true }, (socket) => void peers.push(socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen({ host: HOST, port: 0 }, resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return { recorder, connect: () => runtime.net.connect({ host: HOST, port: address.port }) };
  }

  it("a close with a receive in flight submits SHUTDOWN, then CLOSE only after the SHUTDOWN completed", async () => {
    const { recorder, connect } = await connected();
    for (let round = 0; round < 32; round++) {
      const stream = await connect();
      const read = outcome(stream.read(new Uint8Array(16)));
      await stream.close();
      expect(await read).toBe("Closed");
    }
    expect(recorder.closes).toBe(32);
    expect(recorder.early).toEqual([]);
  });

  it("a close right after an unawaited shutdown waits for that SHUTDOWN", async () => {
    const { recorder, connect } = await connected();
    for (const how of ["write", "read", "both"] as const) {
      for (let round = 0; round < 8; round++) {
        const stream = await connect();
        const shutting = outcome(stream.shutdown(how));
        await stream.close();
        expect(await shutting).toMatch(/^(done|Closed)$/);
      }
    }
    expect(recorder.early).toEqual([]);
  });

  it("a close with a receive and a stuck send in flight closes the fd after all of them", async () => {
    const { recorder, connect } = await connected();
    for (let round = 0; round < 8; round++) {
      const stream = await connect();
      const read = outcome(stream.read(new Uint8Array(16)));
      // Far more than the socket buffers take while the peer reads nothing: the send stays in the kernel.
      const write = outcome(stream.write(new Uint8Array(32 * 1024 * 1024)));
      await stream.close();
      expect(await Promise.all([read, write])).toEqual(["Closed", "Closed"]);
    }
    expect(recorder.early).toEqual([]);
  });

  it("a UDP close with receives armed closes the fd after its SHUTDOWN", async () => {
    const runtime = openUring();
    rt = runtime;
    const recorder = new CloseOrderRecorder(runtime.io);
    for (let round = 0; round < 16; round++) {
      const socket = await runtime.udp.bind({ host: HOST, port: 0 });
      const receives = [outcome(socket.recvFrom(new Uint8Array(64))), outcome(socket.recvFrom(new Uint8Array(64)))];
      await socket.close();
      expect(await Promise.all(receives)).toEqual(["Closed", "Closed"]);
    }
    expect(recorder.closes).toBe(16);
    expect(recorder.early).toEqual([]);
  });
});
