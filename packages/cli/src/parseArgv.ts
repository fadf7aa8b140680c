/**
 * Splits a command line into positionals and options (`--name value`, `--name=value`, `--flag`,
 * `-h`). The command says which names take a value; any other `--name` is a flag. Validation is
 * the command's (zod): this module only tokenizes, so that an unknown option reaches the schema
 * and is reported by name.
 */
import { UsageError } from "./UsageError.js";

export interface ParsedArgv {
  readonly positionals: readonly string[];
  /** Option values by name (without the dashes); flags are `true`. */
  readonly options: Readonly<Record<string, string | true>>;
}

/**
 * `valued` names the options that take the next argument as their value (unless written
 * `--name=value`); every other name is a flag, `true`, including unknown ones, which the
 * command's schema then rejects by name.
 */
export function parseArgv(command: string, argv: readonly string[], valued: ReadonlySet<string>): ParsedArgv {
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  const set = (name: string, value: string | true): void => {
    if (Object.hasOwn(options, name)) throw new UsageError(`--${name} is given more than once`, command);
    options[name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {
      set("help", true);
    } else if (arg.startsWith("--") && arg.length > 2) {
      const equals = arg.indexOf("=");
      const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      if (equals >= 0) set(name, arg.slice(equals + 1));
      else if (valued.has(name)) {
        const value = argv[i + 1];
        if (value === undefined) throw new UsageError(`--${name} needs a value`, command);
        set(name, value);
        i++;
      } else set(name, true);
    } else if (arg.startsWith("-") && arg.length > 1) {
      throw new UsageError(`unknown option ${arg} (options are spelled --name)`, command);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, options };
}
