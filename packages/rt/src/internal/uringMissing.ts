/** Why @pktio/uring could not be loaded, in words a user can act on. */
export type UringModule = typeof import("@pktio/uring");

const NOT_FOUND = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]);

/** The Error for a failed load of @pktio/uring: not installed, or installed but broken. */
export function missingUring(error: unknown): Error {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && NOT_FOUND.has(code) && message.includes("@pktio/uring")) {
    return new Error(
      "the optional package @pktio/uring is not installed (npm skips it with --omit=optional, and on platforms other than Linux); " +
        "install it with `npm install @pktio/uring`",
      { cause: error },
    );
  }
  return new Error(`@pktio/uring is installed but did not load: ${message}`, { cause: error });
}
