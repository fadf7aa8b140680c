/** The pure pieces: range planning, backoff and Retry-After, the status table, option checks. */
import { describe, expect, it } from "vitest";
import { planRanges } from "../src/http/planRanges.js";
import { parseRetryAfter, retryDelay } from "../src/http/retry.js";
import { redactUrl } from "../src/http/redactUrl.js";
import { kindOfStatus, openHttpFile } from "../src/index.js";

describe("planRanges", () => {
  const views = (...specs: [number, number][]) => specs.map(([pos, length], seq) => ({ pos, length, seq }));

  it("merges adjacent and near views, keeps far ones apart, oldest request first", () => {
    const plan = planRanges(views([10_000, 100], [0, 100], [100, 100], [250, 50], [5000, 10]), 50, 1 << 20);
    expect(plan.map(({ start, end, parts }) => [start, end, parts.map((part) => part.seq)])).toEqual([
      [10_000, 10_100, [0]],
      [0, 300, [1, 2, 3]],
      [5000, 5010, [4]],
    ]);
  });

  it("a gap of 0 merges only touching views; overlapping views share a request", () => {
    const plan = planRanges(views([0, 100], [101, 10], [100, 1], [50, 100]), 0, 1 << 20);
    expect(plan.map(({ start, end }) => [start, end])).toEqual([[0, 150]]);
    expect(plan[0]?.parts.map((part) => part.pos)).toEqual([0, 50, 100, 101]);
  });

  it("never plans a request over maxRequestBytes", () => {
    const plan = planRanges(views([0, 60], [60, 60], [120, 60], [180, 60]), 0, 128);
    expect(plan.map(({ start, end }) => [start, end])).toEqual([[0, 120], [120, 240]]);
  });
});

describe("retries", () => {
  it("back off exponentially up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelay(attempt, undefined, 50, 300))).toEqual([50, 100, 200, 300, 300]);
  });

  it("honour Retry-After (seconds or a date) within the cap", () => {
    expect(retryDelay(1, "2", 50, 5000)).toBe(2000);
    expect(retryDelay(1, "120", 50, 5000)).toBe(5000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(retryDelay(2, "soon", 50, 5000)).toBe(100);
  });
});

describe("statuses", () => {
  it("map to IoError kinds", () => {
    const table = Object.fromEntries([400, 401, 403, 404, 405, 408, 410, 412, 416, 429, 500, 501, 502, 503, 504, 418].map((status) => [status, kindOfStatus(status)]));
    expect(table).toEqual({
      400: "InvalidInput", 401: "PermissionDenied", 403: "PermissionDenied", 404: "NotFound", 405: "Unsupported", 408: "TimedOut",
      410: "NotFound", 412: "Stale", 416: "UnexpectedEof", 429: "Busy", 500: "Other", 501: "Unsupported", 502: "ConnectionReset",
      503: "Busy", 504: "TimedOut", 418: "Other",
    });
  });
});

describe("openHttpFile input checks", () => {
  it("refuses bad URLs and options with InvalidInput naming the key, before any request", async () => {
    await expect(openHttpFile("not a url")).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/absolute http\(s\) URL/) });
    await expect(openHttpFile("ftp://127.0.0.1/x")).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/http: or https:/) });
    await expect(openHttpFile("http://127.0.0.1:1/x", { coalesceGapp: 1 } as never)).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/unknown option "coalesceGapp"/) });
    await expect(openHttpFile("http://127.0.0.1:1/x", { maxRequestBytes: 0 })).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/"maxRequestBytes"/) });
    await expect(openHttpFile("http://127.0.0.1:1/x", { headers: { Range: "bytes=0-1" } })).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/set by pktio/) });
    await expect(openHttpFile("http://127.0.0.1:1/x", { headers: { "x-a": "1\r\nx-b: 2" } })).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/CR, LF/) });
    await expect(openHttpFile("http://127.0.0.1:1/x", { dispatcher: {} as never })).rejects.toMatchObject({ kind: "InvalidInput", message: expect.stringMatching(/undici Dispatcher/) });
  });

  it("a refused connection is kind Refused (after the retries)", async () => {
    await expect(openHttpFile("http://127.0.0.1:1/x", { retries: 1, retryDelayMs: 1 })).rejects.toMatchObject({ kind: "Refused" });
  });

  it("messages never show credentials or the query string", () => {
    expect(redactUrl(new URL("https://user:pw@host.example/a/b.bin?X-Amz-Signature=abc"))).toBe("https://host.example/a/b.bin?…");
  });
});
