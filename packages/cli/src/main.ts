#!/usr/bin/env node
/** The `pktio` executable. The exit code is set rather than forced, so output is flushed first. */
import { toIoError } from "@pktio/core";
import { runCli } from "./runCli.js";

// Standard output that cannot be written ends the command as for cat(1), never with Node's
// "Unhandled 'error' event" and a stack trace: a reader that went away (EPIPE, `pktio stat f |
// head -0`) quietly, anything else (ENOSPC into /dev/full) with one line on stderr and exit 1.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  const { kind, message } = toIoError(error);
  process.stderr.write(`pktio: ${kind}: writing standard output: ${message}\n`, () => process.exit(1));
});
// Nothing is left to tell about a standard error that cannot be written.
process.stderr.on("error", () => process.exit(process.exitCode ?? 1));

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
