/**
 * A PROPFIND answer (RFC 4918 §9.1, §14.16 multistatus) read strictly into resources: each
 * response's href resolved against the request URL and percent-decoded, and the live properties
 * a file system needs (resourcetype, getcontentlength, getlastmodified, creationdate, getetag)
 * taken from the propstat whose status is 200. Anything that does not fit the grammar (no
 * multistatus root, a response without an href, a length that is not a decimal number, a date
 * that does not parse, an href on another origin) is an XmlError naming the problem.
 */
import { childNamed, childrenNamed, parseXml, XmlError, type XmlElement, type XmlLimits } from "./parseXml.js";

const DAV = "DAV:";

/** One resource of a multistatus answer. */
export interface DavResource {
  /** The decoded URL path, without a trailing slash (the origin's root is "/"). */
  readonly path: string;
  /** The response's HTTP status (from its propstat, or its own status element). */
  readonly status: number;
  readonly isCollection: boolean;
  /** getcontentlength; 0 when absent (collections usually have none). */
  readonly size: number;
  /** getlastmodified as epoch milliseconds; NaN when absent. */
  readonly modifiedMs: number;
  /** creationdate (RFC 3339) as epoch milliseconds; NaN when absent. */
  readonly createdMs: number;
  readonly etag: string | undefined;
}

/** Parses a 207 body fetched from `requestUrl`. */
export function parseMultistatus(body: string, requestUrl: URL, limits?: XmlLimits): DavResource[] {
  return readMultistatus(body, requestUrl, limits).resources;
}

/**
 * `parseMultistatus`, with the number of responses it left out (names that are not UTF-8): a
 * collection listed with none of its members may still have such a member, and is not empty.
 */
export function readMultistatus(body: string, requestUrl: URL, limits?: XmlLimits): { resources: DavResource[]; omitted: number } {
  const root = parseXml(body, limits);
  if (root.ns !== DAV || root.name !== "multistatus") throw new XmlError(`expected a DAV: multistatus, got {${root.ns}}${root.name}`, 0);
  const resources: DavResource[] = [];
  let omitted = 0;
  for (const response of childrenNamed(root, DAV, "response")) {
    try {
      resources.push(...readResponse(response, requestUrl, () => omitted++));
    } catch (error) {
      // A name that is not UTF-8 (a Latin-1 `caf%E9.txt` from an old share, through rclone) has no
      // string a pktio path could name it by (paths are sent as UTF-8): it is left out, and the
      // rest of the listing stands, as `ls` still lists a directory with one such name in it.
      // Counted, though: a collection whose only member it is is not empty (removeDir, rename).
      if (error instanceof UndecodableName) {
        omitted++;
        continue;
      }
      throw error;
    }
  }
  return { resources, omitted };
}

/** An href whose percent-encoding is well formed but whose bytes are not UTF-8. */
class UndecodableName extends Error {}

/** `omit`: counts an href of a status-only response left out (not UTF-8); its other hrefs stand. */
function readResponse(response: XmlElement, requestUrl: URL, omit: () => void): DavResource[] {
  const hrefs = childrenNamed(response, DAV, "href");
  if (hrefs.length === 0) throw new XmlError("a response without an href", 0);
  const ownStatus = childNamed(response, DAV, "status");
  const propstats = childrenNamed(response, DAV, "propstat");
  if (propstats.length === 0) {
    // A status-only response (RFC 4918 §14.24) may name several hrefs.
    if (ownStatus === undefined) throw new XmlError("a response with neither propstat nor status", 0);
    const status = statusCode(ownStatus.text);
    const named: DavResource[] = [];
    for (const href of hrefs) {
      try {
        named.push(resource(pathOf(href.text, requestUrl), status, undefined));
      } catch (error) {
        if (!(error instanceof UndecodableName)) throw error;
        omit();
      }
    }
    return named;
  }
  if (hrefs.length > 1) throw new XmlError("a response with propstat names more than one href", 0);
  let found: XmlElement | undefined;
  let firstStatus = 0;
  for (const propstat of propstats) {
    const statusElement = childNamed(propstat, DAV, "status");
    if (statusElement === undefined) throw new XmlError("a propstat without a status", 0);
    const status = statusCode(statusElement.text);
    if (firstStatus === 0) firstStatus = status;
    const prop = childNamed(propstat, DAV, "prop");
    if (prop === undefined) throw new XmlError("a propstat without a prop", 0);
    if (status >= 200 && status < 300) found = found === undefined ? prop : { ...found, children: [...found.children, ...prop.children] };
  }
  return [resource(pathOf((hrefs[0] as XmlElement).text, requestUrl), found === undefined ? firstStatus : 200, found)];
}

function resource(path: string, status: number, prop: XmlElement | undefined): DavResource {
  const type = prop === undefined ? undefined : childNamed(prop, DAV, "resourcetype");
  const length = prop === undefined ? undefined : childNamed(prop, DAV, "getcontentlength");
  const modified = prop === undefined ? undefined : childNamed(prop, DAV, "getlastmodified");
  const created = prop === undefined ? undefined : childNamed(prop, DAV, "creationdate");
  const etag = prop === undefined ? undefined : childNamed(prop, DAV, "getetag");
  return {
    path,
    status,
    isCollection: type !== undefined && childNamed(type, DAV, "collection") !== undefined,
    size: length === undefined ? 0 : decimal(length.text),
    modifiedMs: modified === undefined || modified.text.trim() === "" ? Number.NaN : date(modified.text),
    createdMs: created === undefined || created.text.trim() === "" ? Number.NaN : date(created.text),
    etag: etag === undefined || etag.text.trim() === "" ? undefined : etag.text.trim(),
  };
}

/** "HTTP/1.1 200 OK" → 200. */
function statusCode(line: string): number {
  const match = /^\s*HTTP\/\d(?:\.\d)?\s+([1-5]\d\d)(?:\s[^\r\n]*)?\s*$/.exec(line);
  if (match === null) throw new XmlError(`malformed status line ${JSON.stringify(line.slice(0, 80))}`, 0);
  return Number(match[1]);
}

function decimal(text: string): number {
  const trimmed = text.trim();
  const value = /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new XmlError(`getcontentlength ${JSON.stringify(trimmed.slice(0, 40))} is not a length`, 0);
  return value;
}

function date(text: string): number {
  const value = Date.parse(text.trim());
  if (Number.isNaN(value)) throw new XmlError(`date ${JSON.stringify(text.trim().slice(0, 60))} does not parse`, 0);
  return value;
}

/** The decoded path of an href (absolute URL or absolute path) on the request's origin. */
function pathOf(href: string, requestUrl: URL): string {
  let url: URL;
  try {
    // A resource's href names a path: a `#` or `?` in it is part of a name that the server did not
    // escape (webdav-server sends `a#b.txt` as it is), never a fragment or query. Parsed as a URL,
    // the name was cut there ("a").
    url = new URL(href.trim().replaceAll("#", "%23").replaceAll("?", "%3F"), requestUrl);
  } catch {
    throw new XmlError(`href ${JSON.stringify(href.slice(0, 80))} is not a URL`, 0);
  }
  if (url.origin !== requestUrl.origin) throw new XmlError(`href ${JSON.stringify(href.slice(0, 80))} is on another origin than ${requestUrl.origin}`, 0);
  const segments = url.pathname.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      if (/%(?![0-9a-f]{2})/i.test(segment)) throw new XmlError(`href ${JSON.stringify(href.slice(0, 80))} has a malformed percent-encoding`, 0);
      throw new UndecodableName(`href ${JSON.stringify(href.slice(0, 80))} names bytes that are not UTF-8`);
    }
  });
  if (segments.some((segment) => segment.includes("/") || segment.includes("\0"))) throw new XmlError(`href ${JSON.stringify(href.slice(0, 80))} encodes a slash or NUL in a name`, 0);
  const path = segments.join("/");
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
