/**
 * Child process of the lifecycle scenario: opens a runtime with `<module>#<export>()`, reads a
 * file through it, prints "ready" and returns without closing anything. The process must exit by
 * itself: an idle runtime never keeps the event loop alive.
 */
const [modulePath, exportName, filePath] = process.argv.slice(2);
if (modulePath === undefined || exportName === undefined || filePath === undefined) {
  console.error("usage: idleChild <module> <export> <file>");
  process.exit(2);
}
const backend = (await import(modulePath)) as Record<string, () => Promise<{ fs: { open(path: string): Promise<{ readAt(pos: number, dst: Uint8Array): Promise<number> }> } }>>;
const open = backend[exportName];
if (typeof open !== "function") {
  console.error(`${modulePath} has no export ${exportName}`);
  process.exit(2);
}
const runtime = await open();
const file = await runtime.fs.open(filePath);
const count = await file.readAt(0, new Uint8Array(4096));
console.log(`ready ${count}`);
