// The one place XML text is escaped. Escaping, never CDATA: a title containing `]]>` or `&`
// stays well-formed and validators see plain text.
import { cleanText } from "../article/text.ts";

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
// The RSS Best Practices Profile's signal that an element holds plain text, not HTML.
const HEX_REFS: Record<string, string> = { "&": "&#x26;", "<": "&#x3C;", ">": "&#x3E;", '"': "&quot;", "'": "&apos;" };
const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Text or attribute value, safe inside XML 1.0; characters XML forbids are dropped. The five
 * predefined entities, because some parsers (fast-xml-parser by default) leave numeric
 * references undecoded.
 */
export function escapeXml(value: string): string {
  const clean = cleanText(value);
  if (!/[&<>"']/.test(clean)) return clean;
  // Five native passes beat one regex pass with a callback per character on article-sized HTML.
  return clean
    .replaceAll("&", XML_ENTITIES["&"] as string)
    .replaceAll("<", XML_ENTITIES["<"] as string)
    .replaceAll(">", XML_ENTITIES[">"] as string)
    .replaceAll('"', XML_ENTITIES['"'] as string)
    .replaceAll("'", XML_ENTITIES["'"] as string);
}

/** True when plain text holds something a reader or validator could take for a tag or an entity. */
export const looksLikeMarkup = (value: string) => /<[/!?A-Za-z]|&(?:#|[A-Za-z][A-Za-z0-9]*;)/.test(value);

/**
 * Plain text in an RSS element that readers may treat as HTML (titles, names): when it could be
 * read as markup, `&` and `<` as hexadecimal references, as the RSS Best Practices Profile asks.
 */
export function escapeRssText(value: string): string {
  if (!looksLikeMarkup(value)) return escapeXml(value);
  return cleanText(value).replace(/[&<>"']/g, (c) => HEX_REFS[c] as string);
}

/** Plain text as an HTML fragment that shows exactly that text, for elements that carry HTML. */
export function textToHtml(value: string): string {
  return cleanText(value).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string);
}

/** `<name attr="…">text</name>`, or nothing when text is empty. */
export function element(name: string, text: string | undefined, attributes = ""): string {
  return text ? `<${name}${attributes}>${escapeXml(text)}</${name}>` : "";
}

/** An RSS element holding plain text (see escapeRssText), or nothing when text is empty. */
export function rssTextElement(name: string, text: string | undefined): string {
  return text ? `<${name}>${escapeRssText(text)}</${name}>` : "";
}

export function attrs(values: Record<string, string | undefined>): string {
  let out = "";
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) out += ` ${key}="${escapeXml(value)}"`;
  }
  return out;
}
