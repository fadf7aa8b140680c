import { describeUdp } from "@pktio/conformance";
import { afterAll, beforeAll, describe } from "vitest";
import { openUring, probe, type UringRuntime } from "../src/index.js";

// The UDP conformance scenarios again with `directDatagrams: false`, so the ring's own SENDMSG and
// RECVMSG path keeps the contract too (conformance.test.ts runs the default, which serves what
// the socket has at once with a direct system call and leaves only what would block to the ring).
const status = probe();
const why = status.ok ? "" : ` (skipped: io_uring is not available here: ${status.reason})`;

describe.skipIf(!status.ok)(`uring UDP through the ring only${why}`, () => {
  let rt: UringRuntime;
  beforeAll(() => {
    rt = openUring({ directDatagrams: false });
  });
  afterAll(async () => {
    await rt.close();
  });
  describeUdp(() => rt);
});
