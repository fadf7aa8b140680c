/** What a blocking call did: "returned", or the kind of the error it threw (for scenarios that accept several). */
export function syncOutcome(call: () => unknown): string | undefined {
  try {
    call();
    return "returned";
  } catch (error) {
    return (error as { kind?: string }).kind;
  }
}
