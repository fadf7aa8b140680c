#!/usr/bin/env node
/** The `pktio` executable. The exit code is set rather than forced, so output is flushed first. */
import { runCli } from "./runCli.js";

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
