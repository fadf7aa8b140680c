import { IoError } from "../IoError.js";

/** What `acceptEach` iterates: a listener whose `accept` fails kind Closed once it is closed. */
export interface Accepting<S> {
  accept(): Promise<S>;
  readonly closed: boolean;
}

/**
 * Yields each connection `listener.accept()` gives until the listener is closed, which ends the
 * loop quietly; any other error is thrown. Breaking out of the loop leaves the listener open.
 * The body of every backend's `Listener[Symbol.asyncIterator]`.
 */
export async function* acceptEach<S>(listener: Accepting<S>): AsyncGenerator<S, void, undefined> {
  for (;;) {
    let stream: S;
    try {
      stream = await listener.accept();
    } catch (error) {
      if (listener.closed && IoError.is(error, "Closed")) return;
      throw error;
    }
    yield stream;
  }
}
