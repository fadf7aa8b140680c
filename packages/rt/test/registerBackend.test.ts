/** registerBackend: a backend rt does not ship, usable by name like the built-in ones. */
import { IoError, type Runtime } from "@pktio/core";
import { openLibuv } from "@pktio/libuv";
import { afterEach, describe, expect, it } from "vitest";
import { availableBackends, backendOrder, openBackend, openEach, openRuntime, openRuntimeSync, registerBackend } from "../src/index.js";

/** libuv under another name: the simplest third-party backend. */
const renamed = (name: string) => (options: unknown): Runtime => ({ ...openLibuv(options as never), backend: name });

const cleanups: (() => void)[] = [];
const saved = process.env["PKTIO_BACKENDS"];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  if (saved === undefined) delete process.env["PKTIO_BACKENDS"];
  else process.env["PKTIO_BACKENDS"] = saved;
});

describe("registerBackend", () => {
  it("a registered backend opens through openRuntime, openRuntimeSync and openBackend, with its options", async () => {
    const seen: unknown[] = [];
    cleanups.push(
      registerBackend("mine", (options) => {
        seen.push(options);
        return renamed("mine")(undefined);
      }, { capabilities: { files: "libuv, renamed" } }),
    );
    const rt = await openRuntime({ backends: ["mine"], options: { mine: { level: 3 } } });
    expect(rt.backend).toBe("mine");
    const file = await rt.fs.open(new URL(import.meta.url).pathname);
    expect((await file.readToEnd()).byteLength).toBeGreaterThan(100);
    await file.close();
    await rt.close();
    const sync = openRuntimeSync({ backends: ["mine", "libuv"] });
    expect(sync.backend).toBe("mine");
    await sync.close();
    const exact = openBackend("mine");
    await exact.close();
    expect(seen).toEqual([{ level: 3 }, undefined, undefined]);
    const available = await availableBackends();
    expect(available.map((entry) => entry.name)).toEqual(["uring", "libuv", "threaded", "mine"]);
    expect(available.at(-1)).toMatchObject({ ok: true, capabilities: { files: "libuv, renamed", sockets: "registered backend" } });
  });

  it("is tried only where named: the default order stays the built-in one; PKTIO_BACKENDS can name it", async () => {
    cleanups.push(registerBackend("elsewhere", renamed("elsewhere")));
    expect(backendOrder(undefined, {})).toEqual(["uring", "libuv", "threaded"]);
    process.env["PKTIO_BACKENDS"] = "elsewhere";
    const rt = await openRuntime();
    expect(rt.backend).toBe("elsewhere");
    await rt.close();
  });

  it("falls back past a registered backend that says Unsupported, and reports what it said", async () => {
    cleanups.push(
      registerBackend("absent", () => {
        throw new IoError("Unsupported", "absent needs hardware this machine lacks");
      }),
    );
    const rt = await openRuntime({ backends: ["absent", "libuv"] });
    expect(rt.backend).toBe("libuv");
    await rt.close();
    await expect(openRuntime({ backends: ["absent"] })).rejects.toThrow(/no pktio backend works here \(absent: absent needs hardware this machine lacks\)/);
    expect((await availableBackends()).at(-1)).toMatchObject({ name: "absent", ok: false, reason: "absent needs hardware this machine lacks" });
    const each = await openEach();
    expect(each.map((runtime) => runtime.backend)).not.toContain("absent");
    await Promise.all(each.map((runtime) => runtime.close()));
  });

  it("validates names, factories and what a factory returns", async () => {
    const invalid = (message: RegExp): unknown => expect.objectContaining({ kind: "InvalidInput", message: expect.stringMatching(message) });
    expect(() => registerBackend("libuv", renamed("libuv"))).toThrow(invalid(/"libuv" is a built-in backend/));
    expect(() => registerBackend("Bad Name", renamed("x"))).toThrow(invalid(/lower-case letters/));
    expect(() => registerBackend("", renamed("x"))).toThrow(invalid(/lower-case letters/));
    expect(() => registerBackend("x".repeat(33), renamed("x"))).toThrow(invalid(/at most 32/));
    expect(() => registerBackend(7 as never, renamed("x"))).toThrow(invalid(/got 7/));
    expect(() => registerBackend("nofactory", "open" as never)).toThrow(TypeError);
    cleanups.push(registerBackend("twice", renamed("twice")));
    expect(() => registerBackend("twice", renamed("twice"))).toThrow(invalid(/"twice" is already registered/));
    cleanups.push(registerBackend("unnamed", renamed("")));
    expect(() => openBackend("unnamed")).toThrow(invalid(/returned a runtime without a backend name/));
    cleanups.push(registerBackend("notaruntime", () => ({}) as never));
    await expect(openRuntime({ backends: ["notaruntime"] })).rejects.toThrow(invalid(/did not return a Runtime/));
    // Names are checked where they are used, registered ones included.
    await expect(openRuntime({ backends: ["unregistered"] })).rejects.toThrow(invalid(/unknown backend "unregistered"; valid backends: uring, libuv, threaded, twice, unnamed, notaruntime/));
    await expect(openRuntime({ backends: ["libuv"], options: { libuvv: {} } })).rejects.toThrow(invalid(/options for unknown backend "libuvv"/));
  });

  it("unregistering removes it; the name can be registered again", () => {
    const unregister = registerBackend("temporary", renamed("temporary"));
    expect(backendOrder(["temporary"], {})).toEqual(["temporary"]);
    unregister();
    unregister();
    expect(() => backendOrder(["temporary"], {})).toThrow(/unknown backend "temporary"/);
    cleanups.push(registerBackend("temporary", renamed("temporary")));
  });
});
