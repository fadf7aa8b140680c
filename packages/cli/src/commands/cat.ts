/**
 * `pktio cat FILE...`: writes files to stdout through a pktio runtime (1 MiB reads through
 * `file.createReadable`), one after another.
 */
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { CliIo } from "../CliIo.js";
import { flag, oneOf, parseCommandOptions } from "../commandOptions.js";
import { BackendChoices, openBackend } from "../openBackend.js";
import { parseArgv } from "../parseArgv.js";
import { UsageError } from "../UsageError.js";

export const catHelp = `Usage: pktio cat [options] FILE...

Writes each FILE to standard output, read through a pktio runtime.

Options:
  --backend NAME   ${BackendChoices.join("|")} (default auto: the first that works here)
  --help           this text
`;

const CatOptions = z.strictObject({ backend: oneOf(BackendChoices).default("auto"), help: flag });
const CHUNK = 1024 * 1024;

export async function cat(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, options } = parseArgv("cat", argv, new Set(["backend"]));
  const parsed = parseCommandOptions("cat", CatOptions, options);
  if (parsed.help) {
    io.stdout.write(catHelp);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("needs at least one FILE", "cat");
  const rt = await openBackend(parsed.backend);
  try {
    for (const path of positionals) {
      const file = await rt.fs.open(path);
      try {
        await pipeline(file.createReadable({ chunkSize: CHUNK }), io.stdout, { end: false });
      } catch (error) {
        // A reader that went away (`pktio cat big | head`) is the end of the job, as for cat(1).
        if ((error as { code?: unknown }).code === "EPIPE") return 0;
        throw error;
      } finally {
        await file.close();
      }
    }
  } finally {
    await rt.close();
  }
  return 0;
}
