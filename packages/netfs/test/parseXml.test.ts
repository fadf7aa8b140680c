import { describe, expect, it } from "vitest";
import { parseMultistatus, readMultistatus } from "../src/webdav/parseMultistatus.js";
import { childNamed, parseXml, XmlError } from "../src/webdav/parseXml.js";

const base = new URL("http://127.0.0.1:8080/dav/dir/");

describe("strict XML parser", () => {
  it("resolves namespaces, prefixes and default namespaces, and decodes references", () => {
    const root = parseXml(`<?xml version="1.0" encoding="utf-8"?>\n<!-- hi --><a:multistatus xmlns:a="DAV:" xmlns="urn:x"><item k="1 &amp; 2">x &lt; y &#x41;&#66;<![CDATA[<raw>]]></item></a:multistatus>`);
    expect(root.ns).toBe("DAV:");
    expect(root.name).toBe("multistatus");
    const item = childNamed(root, "urn:x", "item");
    expect(item?.attributes.get("k")).toBe("1 & 2");
    expect(item?.text).toBe("x < y AB<raw>");
  });

  const refused: Record<string, string> = {
    "a DOCTYPE (no entity can be declared)": `<!DOCTYPE d [<!ENTITY a "aaaa">]><d:x xmlns:d="DAV:">&a;</d:x>`,
    "an undeclared entity": `<x>&lol;</x>`,
    "an external entity reference": `<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>`,
    "mismatched tags": `<a><b></a></b>`,
    "an unclosed element": `<a><b></b>`,
    "two roots": `<a/><b/>`,
    "text outside the root": `<a/>junk`,
    "an unbound prefix": `<d:a/>`,
    "a duplicate attribute": `<a x="1" x="2"/>`,
    "an unquoted attribute": `<a x=1/>`,
    "'<' in an attribute": `<a x="<"/>`,
    "a bare ampersand": `<a>fish & chips</a>`,
    "a control character": `<a>\u0001</a>`,
    "a character reference to NUL": `<a>&#0;</a>`,
    "a non-UTF-8 encoding": `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`,
    "an empty document": ``,
    "'--' in a comment": `<a><!-- a -- b --></a>`,
  };
  for (const [what, source] of Object.entries(refused)) {
    it(`refuses ${what}`, () => {
      expect(() => parseXml(source)).toThrow(XmlError);
    });
  }

  it("refuses documents past its limits (depth, elements, length)", () => {
    expect(() => parseXml("<a>".repeat(100) + "</a>".repeat(100))).toThrow(/nested deeper than 64/);
    expect(() => parseXml(`<a>${"<b/>".repeat(20)}</a>`, { maxLength: 1000, maxDepth: 8, maxElements: 10 })).toThrow(/more than 10 elements/);
    expect(() => parseXml(`<a>${" ".repeat(2000)}</a>`, { maxLength: 1000, maxDepth: 8, maxElements: 10 })).toThrow(/longer than 1000/);
  });
});

describe("multistatus", () => {
  const answer = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:">
  <D:response><D:href>/dav/dir/</D:href>
    <D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype><D:getlastmodified>Wed, 02 Dec 2026 15:00:00 GMT</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  </D:response>
  <D:response><D:href>http://127.0.0.1:8080/dav/dir/a%20b.txt</D:href>
    <D:propstat><D:prop><D:resourcetype/><D:getcontentlength>12</D:getcontentlength><D:getetag>"e1"</D:getetag><D:creationdate>2026-12-01T10:00:00Z</D:creationdate></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
    <D:propstat><D:prop><D:quota/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
  </D:response>
  <D:response><D:href>gone.txt</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
</D:multistatus>`;

  it("reads hrefs (absolute, path or relative), types, lengths, dates and etags", () => {
    const resources = parseMultistatus(answer, base);
    expect(resources.map((resource) => [resource.path, resource.status, resource.isCollection, resource.size])).toEqual([
      ["/dav/dir", 200, true, 0],
      ["/dav/dir/a b.txt", 200, false, 12],
      ["/dav/dir/gone.txt", 404, false, 0],
    ]);
    expect(resources[0]?.modifiedMs).toBe(Date.UTC(2026, 11, 2, 15));
    expect(resources[1]?.etag).toBe('"e1"');
    expect(resources[1]?.createdMs).toBe(Date.UTC(2026, 11, 1, 10));
  });

  it("keeps a # or ? a server left unescaped in an href as part of the name (webdav-server does), and decodes the escaped ones", () => {
    const body = `<D:multistatus xmlns:D="DAV:">${["/dav/a#b.txt", "/dav/what?.txt", "/dav/c%23d%3Fe%25.txt", "http://127.0.0.1:8080/dav/x#y/"]
      .map((href) => `<D:response><D:href>${href}</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>`)
      .join("")}</D:multistatus>`;
    expect(parseMultistatus(body, base).map((resource) => resource.path)).toEqual(["/dav/a#b.txt", "/dav/what?.txt", "/dav/c#d?e%.txt", "/dav/x#y"]);
  });

  it("leaves out a member whose name is not UTF-8 (a Latin-1 caf%E9.txt, as rclone serves an old share) and keeps the rest of the listing", () => {
    const body = `<D:multistatus xmlns:D="DAV:">${["/dav/", "/dav/caf%E9.txt", "/dav/caf%C3%A9.txt", "/dav/plain.txt"]
      .map((href) => `<D:response><D:href>${href}</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>`)
      .join("")}</D:multistatus>`;
    expect(parseMultistatus(body, base).map((resource) => resource.path)).toEqual(["/dav", "/dav/café.txt", "/dav/plain.txt"]);
  });

  it("in a status-only response naming several hrefs, leaves out only the one that is not UTF-8 and counts it", () => {
    const body = `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/a.txt</D:href><D:href>/dav/caf%E9.txt</D:href><D:href>/dav/b.txt</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response></D:multistatus>`;
    const { resources, omitted } = readMultistatus(body, base);
    expect(resources.map((resource) => [resource.path, resource.status])).toEqual([
      ["/dav/a.txt", 404],
      ["/dav/b.txt", 404],
    ]);
    expect(omitted).toBe(1);
  });

  const malformed: Record<string, string> = {

    "an href with a broken percent-encoding": `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/a%zzb</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>`,
    "another root element": `<D:propfind xmlns:D="DAV:"/>`,
    "a response without href": `<D:multistatus xmlns:D="DAV:"><D:response><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>`,
    "a length that is no number": `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:propstat><D:prop><D:getcontentlength>-5</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
    "a date that does not parse": `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:propstat><D:prop><D:getlastmodified>yesterday-ish</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
    "a malformed status line": `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:status>OK</D:status></D:response></D:multistatus>`,
    "an href on another origin": `<D:multistatus xmlns:D="DAV:"><D:response><D:href>http://evil.example/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>`,
    "an href with an encoded slash": `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/a%2fb</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>`,
  };
  for (const [what, body] of Object.entries(malformed)) {
    it(`refuses ${what}`, () => {
      expect(() => parseMultistatus(body, base)).toThrow(XmlError);
    });
  }
});

describe("parseXml: namespace scopes", () => {
  it("a root with 100 000 prefixes and 1000 children parses at once (scopes are chained, not copied per element), and each name still resolves", () => {
    // Copying the root's bindings into every child took 19 s of the thread here (helper-22).
    const prefixes = Array.from({ length: 100_000 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join("");
    const children = Array.from({ length: 1000 }, (_, i) => `<p${i * 97}:x/>`).join("");
    const root = parseXml(`<D:multistatus xmlns:D="DAV:"${prefixes}>${children}</D:multistatus>`);
    expect(root.children).toHaveLength(1000);
    expect(root.children[3]).toEqual(expect.objectContaining({ ns: "urn:p291", name: "x" }));
  });

  it("inner declarations shadow outer ones and end with their element; xmlns=\"\" undeclares the default", () => {
    const root = parseXml(`<a xmlns="urn:outer" xmlns:p="urn:p1"><p:b xmlns:p="urn:p2"><p:c/></p:b><p:d/><e xmlns=""/><f/></a>`);
    expect(root.ns).toBe("urn:outer");
    const [b, d, e, f] = root.children;
    expect(b?.ns).toBe("urn:p2");
    expect(b?.children[0]?.ns).toBe("urn:p2");
    expect(d?.ns).toBe("urn:p1");
    expect(e?.ns).toBe("");
    expect(f?.ns).toBe("urn:outer");
    expect(() => parseXml(`<a><p:b xmlns:p="urn:p"/><p:c/></a>`)).toThrow(/unbound prefix/);
  });
});
