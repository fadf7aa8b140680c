/**
 * `pktio cat FILE...`: writes files to stdout through a pktio runtime (1 MiB reads through
 * `file.createReadable`), one after another.
 */
import { once } from "node:events";
import { z } from "zod";
import { toIoError } from "@pktio/core";
import { print, type CliIo } from "../CliIo.js";
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
  // As cat(1): a FILE that cannot be opened or read is reported on stderr, the next one is still
  // written, and the exit status is 1.
  let status = 0;
  try {
    for (const path of positionals) {
      let file: Awaited<ReturnType<typeof rt.fs.open>> | undefined;
      try {
        file = await rt.fs.open(path);
        // Written chunk by chunk with backpressure, not piped: a pipeline per FILE left its
        // listeners on stdout, and five FILEs raised MaxListenersExceededWarning.
        for await (const chunk of file.createReadable({ chunkSize: CHUNK })) {
          if (!io.stdout.write(chunk as Uint8Array)) await once(io.stdout, "drain");
        }
      } catch (thrown) {
        // A reader that went away (`pktio cat big | head`) is the end of the job, as for cat(1).
        if ((thrown as { code?: unknown }).code === "EPIPE") return status;
        const error = toIoError(thrown);
        await print(io.stderr, `pktio: ${error.kind}: ${error.message}\n`);
        status = 1;
        io.noteFailure?.();
      } finally {
        await file?.close();
      }
    }
  } finally {
    await rt.close();
  }
  return status;
}
