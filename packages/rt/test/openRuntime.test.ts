import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { availableBackends, backendOrder, openBackend, openEach, openRuntime, openRuntimeSync } from "../src/index.js";

const saved = process.env["PKTIO_BACKENDS"];
afterEach(() => {
  if (saved === undefined) delete process.env["PKTIO_BACKENDS"];
  else process.env["PKTIO_BACKENDS"] = saved;
});

describe("backend order", () => {
  it("defaults to uring, libuv, threaded", () => {
    expect(backendOrder(undefined, {})).toEqual(["uring", "libuv", "threaded"]);
  });
  it("PKTIO_BACKENDS sets the default order, trimmed and deduplicated", () => {
    expect(backendOrder(undefined, { PKTIO_BACKENDS: " threaded, libuv ,threaded" })).toEqual(["threaded", "libuv"]);
  });
  it("an explicit list wins over PKTIO_BACKENDS, even one the environment would reject", () => {
    expect(backendOrder(["uring"], { PKTIO_BACKENDS: "threaded,libuv" })).toEqual(["uring"]);
    expect(backendOrder(["libuv", "libuv"], { PKTIO_BACKENDS: "nonsense" })).toEqual(["libuv"]);
  });
  it("a blank PKTIO_BACKENDS is ignored", () => {
    expect(backendOrder(undefined, { PKTIO_BACKENDS: "  " })).toEqual(["uring", "libuv", "threaded"]);
  });
  it("an unknown name is InvalidInput naming it and the valid ones", () => {
    expect(() => backendOrder(undefined, { PKTIO_BACKENDS: "libuv,iouring" })).toThrow(/PKTIO_BACKENDS: unknown backend "iouring"; valid backends: uring, libuv, threaded/);
    expect(() => backendOrder(["fast"], {})).toThrow(/backends: unknown backend "fast"/);
    expect(() => backendOrder([], {})).toThrow(/backends is empty/);
  });
});

describe("openRuntime", () => {
  it("opens the first backend of the order that works here and names it", async () => {
    const rt = await openRuntime();
    try {
      const available = await availableBackends();
      const first = available.find((entry) => entry.ok);
      expect(first?.name).toBe(rt.backend);
    } finally {
      await rt.close();
    }
  });

  it("falls back past a backend that is unsupported here", async () => {
    const saved = process.env["PKTIO_URING"];
    process.env["PKTIO_URING"] = "0";
    try {
      const rt = await openRuntime({ backends: ["uring", "libuv"] });
      expect(rt.backend).toBe("libuv");
      await rt.close();
      const uring = (await availableBackends()).find((entry) => entry.name === "uring");
      expect(uring).toMatchObject({ name: "uring", ok: false, reason: "io_uring is disabled by PKTIO_URING=0" });
      expect(uring?.capabilities.sockets).toMatch(/TCP and UDP on the ring .*libuv's where the kernel lacks them/);
    } finally {
      if (saved === undefined) delete process.env["PKTIO_URING"];
      else process.env["PKTIO_URING"] = saved;
    }
  });

  it("honours PKTIO_BACKENDS when the caller names no backends, and the caller's list when it does", async () => {
    process.env["PKTIO_BACKENDS"] = "threaded,libuv";
    const explicit = openRuntimeSync({ backends: ["libuv"] });
    expect(explicit.backend).toBe("libuv");
    await explicit.close();
    const rt = openRuntimeSync();
    expect(rt.backend).toBe("threaded");
    // The threaded runtime's sockets are libuv's, lent by rt and closed with it.
    const listener = await rt.net.listen({ host: "127.0.0.1", port: 0 });
    expect(listener.address.port).toBeGreaterThan(0);
    await listener.close();
    await rt.close();
    process.env["PKTIO_URING"] = "0";
    process.env["PKTIO_BACKENDS"] = "uring";
    try {
      await expect(openRuntime()).rejects.toThrow(/no pktio backend works here \(uring: io_uring is disabled by PKTIO_URING=0\)/);
    } finally {
      delete process.env["PKTIO_URING"];
    }
  });

  it("openBackend opens exactly the named backend, whatever PKTIO_BACKENDS says, with its own error", async () => {
    process.env["PKTIO_BACKENDS"] = "uring";
    const rt = openBackend("libuv");
    expect(rt.backend).toBe("libuv");
    await rt.close();
    process.env["PKTIO_URING"] = "0";
    try {
      expect(() => openBackend("uring")).toThrow(/disabled by PKTIO_URING=0/);
    } finally {
      delete process.env["PKTIO_URING"];
    }
    expect(() => openBackend("nope" as never)).toThrow(/backend: unknown backend "nope"/);
  });

  it("does not fall back on bad options: they are the caller's error", async () => {
    await expect(openRuntime({ backends: ["libuv"], options: { libuv: { maxInFlight: 0 } } })).rejects.toThrow(/maxInFlight/);
    await expect(openRuntime({ backend: "libuv" } as never)).rejects.toThrow(/unknown option "backend"/);
  });

  it("availableBackends gives a reason for each backend that is not available", async () => {
    const available = await availableBackends();
    expect(available.map((entry) => entry.name)).toEqual(["uring", "libuv", "threaded"]);
    for (const entry of available) if (!entry.ok) expect(entry.reason.length).toBeGreaterThan(10);
    expect(available.some((entry) => entry.ok)).toBe(true);
  });

  it("openEach opens every available backend, and closing them leaves no fd behind", async () => {
    const before = readdirSync("/proc/self/fd").length;
    const runtimes = await openEach();
    const names = (await availableBackends()).filter((entry) => entry.ok).map((entry) => entry.name);
    expect(runtimes.map((rt) => rt.backend)).toEqual(names);
    await Promise.all(runtimes.map((rt) => rt.close()));
    expect(readdirSync("/proc/self/fd").length).toBe(before);
  });
});
