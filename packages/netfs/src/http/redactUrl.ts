/**
 * A URL as it may appear in messages and logs: without credentials and without the query string,
 * which carries the signature of a presigned URL.
 */

/** `https://host/path` (a `?…` query becomes `?…`, user:password is dropped). */
export function redactUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search === "" ? "" : "?…"}`;
}
