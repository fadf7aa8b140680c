/**
 * Child process of the lifecycle scenario: opens a runtime with `<module>#<export>()`, opens the
 * FIFO at `<path>` read/write (so it never sees an end), checks that it works (a write, the same
 * bytes read back), then starts reads nobody answers and closes the runtime while they wait,
 * prints what happened and returns. With a second FIFO path, it first starts a read-only open of
 * that FIFO and a write-only one of `<path>.w`, which nobody else opens (open(2) would wait for
 * ever), and the close answers those too. The process must exit by itself: nothing may be left in a thread, a
 * pool request or a worker.
 */
type Runtime = {
  fs: { open(path: string, options?: object): Promise<{ readAt(pos: number, dst: Uint8Array): Promise<number>; writeAt(pos: number, src: Uint8Array): Promise<number> }> };
  close(): Promise<void>;
};
const [modulePath, exportName, fifoPath, lonelyPath] = process.argv.slice(2);
if (modulePath === undefined || exportName === undefined || fifoPath === undefined) {
  console.error("usage: fifoChild <module> <export> <fifo>");
  process.exit(2);
}
const backend = (await import(modulePath)) as Record<string, () => Promise<Runtime>>;
const open = backend[exportName];
if (typeof open !== "function") {
  console.error(`${modulePath} has no export ${exportName}`);
  process.exit(2);
}
const runtime = await open();
const lonely =
  lonelyPath === undefined
    ? []
    : // Two FIFOs: a read-only open of one would be the other open's reader.
      [runtime.fs.open(lonelyPath, { read: true }), runtime.fs.open(`${lonelyPath}.w`, { read: false, write: true })].map((opening) => opening.then(() => "opened", (error: { kind?: string }) => String(error.kind)));
const fifo = await runtime.fs.open(fifoPath, { read: true, write: true });
// The FIFO works before it is left waiting: a write, then the same bytes read back.
const written = await fifo.writeAt(0, new Uint8Array([1, 2, 3]));
const back = new Uint8Array(3);
const read = await fifo.readAt(0, back);
const kinds = Array.from({ length: 6 }, () => fifo.readAt(0, new Uint8Array(64)).then(() => "done", (error: { kind?: string }) => String(error.kind)));
// A few turns: the reads reach the backend (a pool thread, a worker, the kernel) before the close.
for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
await runtime.close();
const opens = lonely.length === 0 ? "" : ` opens ${(await Promise.all(lonely)).join(",")}`;
console.log(`closed ${written} ${read} ${back.join("")} ${(await Promise.all(kinds)).join(",")}${opens}`);
