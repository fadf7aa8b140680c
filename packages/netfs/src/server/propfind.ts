/**
 * PROPFIND (RFC 4918 §9.1) with Depth 0 or 1: the live properties of a resource and, at depth 1,
 * of its members, as a 207 multistatus. The request body (allprop, propname or a prop list; an
 * empty body is allprop) is parsed by the same strict parser as the client's answers. Depth
 * infinity (and a missing Depth, which means infinity) is refused with 403 and the
 * propfind-finite-depth precondition, as §9.1 allows.
 */
import type { FileStat } from "@pktio/core";
import { childNamed, parseXml, XmlError, type XmlElement } from "../webdav/parseXml.js";
import type { Exchange } from "./Exchange.js";
import { collectionMembers } from "./collectionMembers.js";
import { etagOf } from "./conditions.js";
import { contentTypeOf } from "./contentType.js";
import { HttpRefusal, readSmallBody } from "./readBody.js";
import { hrefOf } from "./requestPath.js";

const DAV = "DAV:";
/** Longest PROPFIND body accepted. */
const MAX_PROPFIND_BODY = 64 * 1024;
const LIVE = ["resourcetype", "getcontentlength", "getlastmodified", "getetag", "creationdate", "displayname", "getcontenttype"] as const;

/** What the client asked for: every live property, only their names, or the listed ones. */
type Wanted = { readonly kind: "allprop" } | { readonly kind: "propname" } | { readonly kind: "prop"; readonly props: readonly XmlElement[] };

export async function propfind(exchange: Exchange): Promise<void> {
  const depth = exchange.req.headers["depth"];
  if (depth !== "0" && depth !== "1") {
    const body = `<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>\n`;
    return exchange.send(403, body, { "content-type": "application/xml; charset=utf-8" });
  }
  const wanted = parseWanted(await readSmallBody(exchange.req, MAX_PROPFIND_BODY));
  const stat = await exchange.dir.stat(exchange.path.relative);
  const names = exchange.path.names;
  const responses = [responseXml(names, stat, wanted)];
  if (depth === "1" && stat.type === "directory") {
    for (const member of await collectionMembers(exchange)) responses.push(responseXml([...names, member.name], member.stat, wanted));
  }
  const body = `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">\n${responses.join("")}</D:multistatus>\n`;
  exchange.send(207, body, { "content-type": "application/xml; charset=utf-8" });
}

function parseWanted(body: string): Wanted {
  if (body.trim() === "") return { kind: "allprop" };
  let root: XmlElement;
  try {
    root = parseXml(body, { maxLength: MAX_PROPFIND_BODY, maxDepth: 16, maxElements: 1024 });
  } catch (error) {
    if (error instanceof XmlError) throw new HttpRefusal(400, `malformed PROPFIND body: ${error.message}`);
    throw error;
  }
  if (root.ns !== DAV || root.name !== "propfind") throw new HttpRefusal(400, "the PROPFIND body is not a DAV: propfind");
  if (childNamed(root, DAV, "allprop") !== undefined) return { kind: "allprop" };
  if (childNamed(root, DAV, "propname") !== undefined) return { kind: "propname" };
  const prop = childNamed(root, DAV, "prop");
  if (prop === undefined) throw new HttpRefusal(400, "the propfind names neither allprop, propname nor prop");
  return { kind: "prop", props: prop.children };
}

/** One <D:response> for a resource. */
function responseXml(names: readonly string[], stat: FileStat, wanted: Wanted): string {
  const collection = stat.type === "directory";
  const values = liveValues(names, stat, collection);
  const href = `<D:href>${escapeXml(hrefOf(names, collection))}</D:href>`;
  if (wanted.kind === "propname") {
    const props = Object.keys(values).map((name) => `<D:${name}/>`).join("");
    return `<D:response>${href}${propstat(props, 200)}</D:response>\n`;
  }
  if (wanted.kind === "allprop") return `<D:response>${href}${propstat(Object.values(values).join(""), 200)}</D:response>\n`;
  let found = "";
  let missing = "";
  for (const prop of wanted.props) {
    const value = prop.ns === DAV ? values[prop.name] : undefined;
    if (value !== undefined) found += value;
    else missing += prop.ns === DAV ? `<D:${prop.name}/>` : `<X:${prop.name} xmlns:X="${escapeXml(prop.ns)}"/>`;
  }
  return `<D:response>${href}${found === "" ? "" : propstat(found, 200)}${missing === "" ? "" : propstat(missing, 404)}</D:response>\n`;
}

function propstat(props: string, status: 200 | 404): string {
  return `<D:propstat><D:prop>${props}</D:prop><D:status>HTTP/1.1 ${status} ${status === 200 ? "OK" : "Not Found"}</D:status></D:propstat>`;
}

/** The live properties of a resource as XML, by local name (DAV: namespace). */
function liveValues(names: readonly string[], stat: FileStat, collection: boolean): Record<string, string> {
  const name = names[names.length - 1] ?? "";
  const values: Record<string, string> = {
    resourcetype: collection ? "<D:resourcetype><D:collection/></D:resourcetype>" : "<D:resourcetype/>",
    getlastmodified: `<D:getlastmodified>${new Date(stat.modifiedMs).toUTCString()}</D:getlastmodified>`,
    creationdate: `<D:creationdate>${new Date(Number.isFinite(stat.createdMs) && stat.createdMs > 0 ? stat.createdMs : stat.modifiedMs).toISOString()}</D:creationdate>`,
    displayname: `<D:displayname>${escapeXml(name)}</D:displayname>`,
  };
  if (!collection) {
    values["getcontentlength"] = `<D:getcontentlength>${stat.size}</D:getcontentlength>`;
    values["getetag"] = `<D:getetag>${escapeXml(etagOf(stat))}</D:getetag>`;
    values["getcontenttype"] = `<D:getcontenttype>${escapeXml(contentTypeOf(name))}</D:getcontenttype>`;
  }
  return Object.fromEntries(LIVE.filter((key) => values[key] !== undefined).map((key) => [key, values[key] as string]));
}

/** Text safe inside XML content and attribute values (characters XML cannot carry become U+FFFD). */
const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** `text` as XML character data or an attribute value: markup escaped, characters XML 1.0 forbids replaced. */
export function escapeXml(text: string): string {
  // The five predefined entities, not numeric references: some clients' parsers (fast-xml-parser
  // in the webdav npm client) leave `&#34;` undecoded, and names and ETags then come out wrong.
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char] as string).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD");
}
