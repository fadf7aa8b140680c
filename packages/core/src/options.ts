/**
 * Options and environment checks with zod, reported as IoError kind InvalidInput with the
 * offending key in the message, e.g. `MemoryIo options: unknown option "dleivery"`.
 */
import { z } from "zod";
import { IoError } from "./IoError.js";

export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new IoError("InvalidInput", `${where}: ${describeIssues(parsed.error)}`, { op: where, cause: parsed.error });
}

/** One line per issue, each naming the key it concerns. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map((key) => JSON.stringify(path === "" ? key : `${path}.${key}`)).join(", ");
        return `unknown option${issue.keys.length > 1 ? "s" : ""} ${keys}`;
      }
      return `${path === "" ? "value" : JSON.stringify(path)}: ${issue.message}`;
    })
    .join("; ");
}
