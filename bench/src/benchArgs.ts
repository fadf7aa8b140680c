/**
 * The benches' one command-line check: `--name N` where N must be a positive integer (or, with
 * `integer` false, a positive number). A bad value ends the process with status 2 and says why.
 */
export function positiveArg(args: readonly string[], name: string, fallback: number, integer = true): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!(integer ? Number.isInteger(value) : Number.isFinite(value)) || value <= 0) {
    console.error(`${name} takes a positive ${integer ? "integer" : "number"}`);
    process.exit(2);
  }
  return value;
}
