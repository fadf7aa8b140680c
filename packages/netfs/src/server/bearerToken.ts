/**
 * The bearer-token check. Both sides are hashed first and the digests compared with
 * `timingSafeEqual`: equal lengths always, so neither the token's length nor the position of
 * the first wrong byte shows in the time an answer takes.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** A checker for `Authorization` headers against `token`. */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = authorization === undefined ? null : /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
    // A missing header is compared too, against a value that cannot match, to keep one path.
    const given = digest(match === null ? "\0missing" : (match[1] as string));
    return timingSafeEqual(given, expected) && match !== null;
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
