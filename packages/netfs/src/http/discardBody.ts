/** Dropping a response body that is not wanted (or not trusted) without an unhandled error event. */
import type { Dispatcher } from "undici";

/**
 * Destroys the body; undici then drops the connection. A destroyed BodyReadable emits an
 * AbortError, which is expected here and swallowed.
 */
export function discardBody(response: Dispatcher.ResponseData): void {
  response.body.on("error", () => undefined);
  response.body.destroy();
}
