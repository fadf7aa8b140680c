/**
 * The `pktio` command line: dispatches to a command and turns what goes wrong into an exit
 * code and one line on stderr: 2 and `pktio <command>: <problem>` for bad arguments, 1 and
 * `pktio: <IoError kind>: <message>` for I/O errors (`pktio: NotFound: ENOENT: …`).
 */
import { toIoError } from "@pktio/core";
import { print, type CliIo } from "./CliIo.js";
import { bench, benchHelp } from "./commands/bench.js";
import { cat, catHelp } from "./commands/cat.js";
import { cp, cpHelp } from "./commands/cp.js";
import { serve, serveHelp } from "./commands/serve.js";
import { stat, statHelp } from "./commands/stat.js";
import { UsageError } from "./UsageError.js";

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string; summary: string }> = {
  bench: { run: bench, help: benchHelp, summary: "fio-like benchmark of every backend against Node's fs (and fio)" },
  cat: { run: cat, help: catHelp, summary: "write files to stdout" },
  cp: { run: cp, help: cpHelp, summary: "copy a file with many packets in flight" },
  serve: { run: serve, help: serveHelp, summary: "serve a directory over HTTP (Range) and WebDAV" },
  stat: { run: stat, help: statHelp, summary: "print a file's metadata" },
};

export const usage = `Usage: pktio <command> [options]

Completion I/O for Node.js, from the command line.

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(7)}${command.summary}`)
  .join("\n")}
  help   this text, or a command's: pktio help bench

Each command takes --help. Exit codes: 0 ok, 1 I/O error, 2 bad arguments.
`;

export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, noteFailure: () => void (process.exitCode = 1) }): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      await print(io.stderr, usage);
      return 2;
    }
    if (name === "help" || name === "--help" || name === "-h") {
      const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
      if (rest[0] !== undefined && topic === undefined) throw new UsageError(`no such command ${JSON.stringify(rest[0])}; commands: ${Object.keys(COMMANDS).join(", ")}`);
      await print(io.stdout, topic?.help ?? usage);
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}; commands: ${Object.keys(COMMANDS).join(", ")} (pktio --help)`);
    return await command.run(rest, io);
  } catch (thrown) {
    if (thrown instanceof UsageError) {
      await print(io.stderr, `pktio${thrown.command === undefined ? "" : ` ${thrown.command}`}: ${thrown.message}\n`);
      return 2;
    }
    const error = toIoError(thrown);
    await print(io.stderr, `pktio: ${error.kind}: ${error.message}\n`);
    return 1;
  }
}
