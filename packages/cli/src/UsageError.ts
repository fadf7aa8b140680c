/**
 * A bad command line. `runCli` prints it as one line on stderr, `pktio <command>: <message>`,
 * and exits with code 2, so scripts can tell a usage mistake (2) from an I/O failure (1).
 */
export class UsageError extends Error {
  /** The command the mistake concerns ("bench"), if any. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }

  override get name(): string {
    return "UsageError";
  }
}
