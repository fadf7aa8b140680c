/**
 * A client that uses an Fs, blocking twins included, and never closes it: the process must still
 * exit by itself (the request worker and the agent's sockets do not hold the event loop).
 * Usage: node --import tsx --conditions=pktio-source syncClientMain.ts URL
 */
import { openWebDavFs } from "../../src/webdav/openWebDavFs.js";

const url = process.argv[2] as string;
const fs = await openWebDavFs(url);
const blocking = fs.statSync(".");
const waited = await fs.stat(".");
console.log(`${blocking.type} ${waited.type}`);
