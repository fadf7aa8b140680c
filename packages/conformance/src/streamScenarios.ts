/** Stream adapters over a backend: Node Readable and a WHATWG byte stream with a BYOB reader. */
import { createReadable, createReadableStream, type RandomAccess } from "@pktio/core";
import { expect } from "vitest";
import { equalBytes } from "./packetScenarios.js";

export type StreamScenario = (target: RandomAccess, reference: Uint8Array) => Promise<void>;

export const streamScenarios: Record<string, StreamScenario> = {
  async "a Node Readable yields the range's bytes"(target, reference) {
    const start = 12_345;
    const end = start + 1_000_000;
    const chunks: Uint8Array[] = [];
    for await (const chunk of createReadable(target, { start, end, chunkSize: 100_000 })) chunks.push(chunk as Uint8Array);
    expect(equalBytes(Buffer.concat(chunks), reference.subarray(start, end))).toBe(true);
  },

  async "a BYOB reader fills its own buffer up to the end of the data"(target, reference) {
    const start = reference.length - 300_000;
    const reader = createReadableStream(target, { start }).getReader({ mode: "byob" });
    const received: Uint8Array[] = [];
    let buffer = new ArrayBuffer(65_536);
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      received.push(value.slice());
      buffer = value.buffer as ArrayBuffer;
    }
    expect(equalBytes(Buffer.concat(received), reference.subarray(start))).toBe(true);
  },
};
