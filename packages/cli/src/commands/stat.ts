/** `pktio stat FILE...`: a file's FileStat through a pktio runtime, as lines or as JSON. */
import { z } from "zod";
import { toIoError, type FileStat } from "@pktio/core";
import { print, type CliIo } from "../CliIo.js";
import { flag, oneOf, parseCommandOptions } from "../commandOptions.js";
import { BackendChoices, openBackend } from "../openBackend.js";
import { parseArgv } from "../parseArgv.js";
import { UsageError } from "../UsageError.js";

export const statHelp = `Usage: pktio stat [options] FILE...

Prints each FILE's metadata (the FileStat every pktio backend returns).

Options:
  --backend NAME   ${BackendChoices.join("|")} (default auto: the first that works here)
  --json           one JSON object per FILE and line (inode and device as decimal strings)
  --help           this text
`;

const StatOptions = z.strictObject({ backend: oneOf(BackendChoices).default("auto"), json: flag, help: flag });

export async function stat(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgv("stat", argv, new Set(["backend"]));
  const parsed = parseCommandOptions("stat", StatOptions, options);
  if (parsed.help) {
    io.stdout.write(statHelp);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("needs at least one FILE", "stat");
  const rt = await openBackend(parsed.backend);
  // As stat(1): a FILE that fails is reported on stderr, the others are still printed, and the exit status is 1.
  let status = 0;
  try {
    let first = true;
    for (const path of positionals) {
      let info: FileStat;
      try {
        info = await rt.fs.stat(path);
      } catch (thrown) {
        const error = toIoError(thrown);
        await print(io.stderr, `pktio: ${error.kind}: ${error.message}\n`);
        status = 1;
        io.noteFailure?.();
        continue;
      }
      await print(io.stdout, parsed.json ? JSON.stringify(statJson(path, info)) + "\n" : (first ? "" : "\n") + statLines(path, info));
      first = false;
    }
  } finally {
    await rt.close();
  }
  return status;
}

/** The FileStat's fields under their own names; bigints as decimal strings (JSON has none). */
export function statJson(path: string, info: FileStat): Record<string, string | number> {
  return {
    path,
    type: info.type,
    size: info.size,
    mode: info.mode,
    modifiedMs: info.modifiedMs,
    accessedMs: info.accessedMs,
    createdMs: info.createdMs,
    inode: info.inode.toString(),
    device: info.device.toString(),
  };
}

function statLines(path: string, info: FileStat): string {
  // A file system that keeps no birth time reports 0 (statx without STATX_BTIME): "-", as stat(1) does.
  const time = (ms: number): string => (Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : "-");
  return [
    `path: ${path}`,
    `type: ${info.type}`,
    `size: ${info.size}`,
    `mode: 0${info.mode.toString(8).padStart(3, "0")}`,
    `modified: ${time(info.modifiedMs)}`,
    `accessed: ${time(info.accessedMs)}`,
    `created: ${time(info.createdMs)}`,
    `inode: ${info.inode}`,
    `device: ${info.device}`,
    "",
  ].join("\n");
}
