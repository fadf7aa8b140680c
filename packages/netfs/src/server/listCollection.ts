/** GET on a collection: a minimal HTML index of its members (names escaped, links encoded). */
import type { Exchange } from "./Exchange.js";
import { collectionMembers } from "./collectionMembers.js";
import { hrefOf } from "./requestPath.js";

export async function listCollection(exchange: Exchange): Promise<void> {
  const members = await collectionMembers(exchange);
  const title = escapeHtml(hrefOf(exchange.path.names, true));
  const rows = members.map(({ name, stat }) => {
    const directory = stat.type === "directory";
    const href = escapeHtml(hrefOf([...exchange.path.names, name], directory));
    return `<li><a href="${href}">${escapeHtml(name)}${directory ? "/" : ""}</a>${directory ? "" : ` ${stat.size}`}</li>`;
  });
  const body = `<!doctype html>\n<meta charset="utf-8">\n<title>${title}</title>\n<h1>${title}</h1>\n<ul>\n${rows.join("\n")}\n</ul>\n`;
  exchange.send(200, body, { "content-type": "text/html; charset=utf-8" });
}

/** Text safe inside HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
