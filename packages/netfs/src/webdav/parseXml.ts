/**
 * A small, strict XML 1.0 parser for WebDAV bodies (RFC 4918 multistatus and propfind). It reads
 * well-formed documents with namespaces into a tree and refuses everything else: a DOCTYPE (so no
 * entity can be declared, let alone expanded: no "billion laughs", no external entities), any
 * entity but the five predefined ones and character references, mismatched or unclosed tags,
 * duplicate attributes, unbound prefixes, text outside the root, and documents past the size,
 * depth or node limits. Errors are `XmlError`s; the WebDAV layer turns them into IoErrors.
 */

/** An element with its namespace resolved: `{ ns: "DAV:", name: "href" }`. */
export interface XmlElement {
  /** Namespace URI ("" when the element has none). */
  readonly ns: string;
  /** Local name, without prefix. */
  readonly name: string;
  /** Attributes by their qualified name as written (namespace declarations excluded). */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA directly inside it), concatenated. */
  readonly text: string;
}

/** Bounds on what one document may cost to parse. */
export interface XmlLimits {
  /** Characters in the document. */
  readonly maxLength: number;
  /** Nesting depth of elements. */
  readonly maxDepth: number;
  /** Elements in the document. */
  readonly maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxLength: 64 * 1024 * 1024, maxDepth: 64, maxElements: 2_000_000 };

/** A document that is not well-formed XML, or that this parser refuses (DOCTYPE, limits). */
export class XmlError extends Error {
  /** Offset in the document where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = "XmlError";
    this.offset = offset;
  }
}

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const NAME = /[A-Za-z_\u00C0-\uFFFF][-A-Za-z0-9._\u00B7\u00C0-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][-A-Za-z0-9._\u00B7\u00C0-\uFFFF]*)?/y;
const SPACE = /[ \t\r\n]*/y;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };
// Characters XML 1.0 forbids anywhere (C0 controls other than tab, LF, CR; U+FFFE/U+FFFF).
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

interface Building {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly attributes: Map<string, string>;
  readonly children: XmlElement[];
  readonly scope: NsScope;
  text: string;
}

/**
 * The namespace bindings in force at an element: its own declarations, then its ancestors'. A
 * chain of frames, not a copy per element: copying the parent's map for every element let a root
 * with 100 000 prefixes and 1000 children block the thread for 19 s. A lookup walks at most
 * maxDepth frames.
 */
class NsScope {
  constructor(
    readonly parent: NsScope | undefined,
    readonly own: ReadonlyMap<string, string>,
  ) {}

  get(prefix: string): string | undefined {
    for (let frame: NsScope | undefined = this; frame !== undefined; frame = frame.parent) {
      const uri = frame.own.get(prefix);
      if (uri !== undefined) return uri;
    }
    return undefined;
  }

  has(prefix: string): boolean {
    return this.get(prefix) !== undefined;
  }
}

/** Outside every element: only the `xml` prefix is bound. */
const ROOT_SCOPE = new NsScope(undefined, new Map([["xml", XML_NS]]));

/** Parses `source` into its root element; throws XmlError on anything not well-formed or refused. */
export function parseXml(source: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (source.length > limits.maxLength) throw new XmlError(`document is longer than ${limits.maxLength} characters`, limits.maxLength);
  const forbidden = FORBIDDEN_CHAR.exec(source);
  if (forbidden !== null) throw new XmlError(`character U+${forbidden[0].charCodeAt(0).toString(16).padStart(4, "0")} is not allowed in XML`, forbidden.index);
  let pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let elements = 0;

  const fail = (message: string, at = pos): never => {
    throw new XmlError(message, at);
  };
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(source);
    pos = SPACE.lastIndex;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(source);
    if (match === null) return fail("expected a name");
    pos = NAME.lastIndex;
    return match[0];
  };
  const expect = (literal: string): void => {
    if (!source.startsWith(literal, pos)) fail(`expected ${JSON.stringify(literal)}`);
    pos += literal.length;
  };
  const until = (terminator: string, what: string): string => {
    const end = source.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated ${what}`);
    const body = source.slice(pos, end);
    pos = end + terminator.length;
    return body;
  };
  const addText = (text: string, at: number): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (/[^ \t\r\n]/.test(text)) fail("text outside the root element", at);
      return;
    }
    top.text += text;
  };

  // The XML declaration, if any, comes first.
  if (source.startsWith("<?xml", pos) && /[ \t\r\n?]/.test(source.charAt(pos + 5))) {
    pos += 5;
    const declaration = until("?>", "XML declaration");
    const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration);
    if (encoding !== null && !/^utf-?8$/i.test(encoding[1] as string)) fail(`encoding ${JSON.stringify(encoding[1])} is not supported (UTF-8 only)`, 0);
  }

  while (pos < source.length) {
    const lt = source.indexOf("<", pos);
    if (lt !== pos) {
      const end = lt < 0 ? source.length : lt;
      addText(decodeText(source.slice(pos, end), pos), pos);
      pos = end;
      continue;
    }
    if (source.startsWith("<!--", pos)) {
      pos += 4;
      const body = until("-->", "comment");
      if (body.includes("--") || body.endsWith("-")) fail("'--' inside a comment");
    } else if (source.startsWith("<![CDATA[", pos)) {
      if (stack.length === 0) fail("CDATA outside the root element");
      pos += 9;
      addText(until("]]>", "CDATA section"), pos);
    } else if (source.startsWith("<!", pos)) {
      // DOCTYPE and any markup declaration: refused, since they can declare entities.
      fail("DOCTYPE and markup declarations are not accepted");
    } else if (source.startsWith("<?", pos)) {
      pos += 2;
      const target = readName();
      if (target.toLowerCase() === "xml") fail("XML declaration not at the start of the document");
      until("?>", "processing instruction");
    } else if (source.startsWith("</", pos)) {
      pos += 2;
      const qname = readName();
      skipSpace();
      expect(">");
      const open = stack.pop();
      if (open === undefined) fail(`closing tag </${qname}> without an open element`);
      else if (open.qname !== qname) fail(`closing tag </${qname}> does not match <${open.qname}>`);
      else finish(open);
    } else {
      pos += 1;
      openElement();
    }
  }
  if (stack.length > 0) fail(`unclosed element <${(stack[stack.length - 1] as Building).qname}>`);
  if (root === undefined) fail("no root element");
  return root as XmlElement;

  function openElement(): void {
    if (root !== undefined && stack.length === 0) fail("more than one root element");
    if (stack.length >= limits.maxDepth) fail(`elements nested deeper than ${limits.maxDepth}`);
    if (++elements > limits.maxElements) fail(`more than ${limits.maxElements} elements`);
    const qname = readName();
    const raw = new Map<string, string>();
    for (;;) {
      const before = pos;
      skipSpace();
      if (source.startsWith("/>", pos) || source.startsWith(">", pos)) break;
      if (pos === before) fail("expected whitespace before an attribute");
      const attribute = readName();
      skipSpace();
      expect("=");
      skipSpace();
      const quote = source.charAt(pos);
      if (quote !== '"' && quote !== "'") fail("attribute value must be quoted");
      pos += 1;
      const valueAt = pos;
      const value = until(quote, "attribute value");
      if (value.includes("<")) fail("'<' in an attribute value", valueAt);
      if (raw.has(attribute)) fail(`duplicate attribute ${attribute}`);
      raw.set(attribute, decodeText(value, valueAt).replace(/[\t\r\n]/g, " "));
    }
    const parent = stack[stack.length - 1];
    const declared = new Map<string, string>();
    const attributes = new Map<string, string>();
    for (const [name, value] of raw) {
      if (name === "xmlns") declared.set("", value);
      else if (name.startsWith("xmlns:")) {
        const prefix = name.slice(6);
        if (value === "") fail(`prefix ${prefix} bound to an empty namespace`);
        if (prefix === "xmlns" || (prefix === "xml") !== (value === XML_NS)) fail(`reserved prefix or namespace misused: ${name}`);
        declared.set(prefix, value);
      } else attributes.set(name, value);
    }
    const inherited = parent?.scope ?? ROOT_SCOPE;
    const scope = declared.size === 0 ? inherited : new NsScope(inherited, declared);
    for (const name of attributes.keys()) {
      const colon = name.indexOf(":");
      if (colon >= 0 && !scope.has(name.slice(0, colon))) fail(`unbound prefix in attribute ${name}`);
    }
    const colon = qname.indexOf(":");
    const building: Building = { qname, prefix: colon < 0 ? "" : qname.slice(0, colon), local: colon < 0 ? qname : qname.slice(colon + 1), attributes, children: [], scope, text: "" };
    if (building.prefix !== "" && !scope.has(building.prefix)) fail(`unbound prefix in element <${qname}>`);
    if (source.startsWith("/>", pos)) {
      pos += 2;
      finish(building);
    } else {
      pos += 1;
      stack.push(building);
    }
  }

  function finish(building: Building): void {
    const element: XmlElement = { ns: building.scope.get(building.prefix) ?? "", name: building.local, attributes: building.attributes, children: building.children, text: building.text };
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = element;
    else parent.children.push(element);
  }
}

/** Replaces entity and character references in text; anything undeclared is an error. */
function decodeText(text: string, offset: number): string {
  if (text.includes("]]>")) throw new XmlError("']]>' in text", offset);
  if (!text.includes("&")) return text;
  return text.replace(/&([^;&<]*);?/g, (whole, name: string, at: number) => {
    if (!whole.endsWith(";")) throw new XmlError("'&' that does not start a reference", offset + at);
    if (Object.hasOwn(PREDEFINED, name)) return PREDEFINED[name] as string;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(name) ? Number.parseInt(name.slice(2), 16) : /^#[0-9]{1,7}$/.test(name) ? Number.parseInt(name.slice(1), 10) : undefined;
    if (code === undefined) throw new XmlError(`undeclared entity &${name}; (entities are not expanded)`, offset + at);
    const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!valid) throw new XmlError(`character reference &${name}; is not a valid XML character`, offset + at);
    return String.fromCodePoint(code);
  });
}

/** The child elements of `element` named `name` in namespace `ns`. */
export function childrenNamed(element: XmlElement, ns: string, name: string): XmlElement[] {
  return element.children.filter((child) => child.ns === ns && child.name === name);
}

/** The first child named `name` in `ns`, if any. */
export function childNamed(element: XmlElement, ns: string, name: string): XmlElement | undefined {
  return element.children.find((child) => child.ns === ns && child.name === name);
}
