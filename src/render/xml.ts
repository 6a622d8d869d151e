// The one place XML text is escaped. Escaping, never CDATA: a title containing `]]>` or `&`
// stays well-formed and validators see plain text.
import { cleanText } from "../article/text.ts";

// Hexadecimal references, as the RSS Best Practices Profile asks for `&` and `<` in plain text;
// every XML parser reads them exactly as it reads `&amp;` and `&lt;`.
const XML_REFS: Record<string, string> = { "&": "&#x26;", "<": "&#x3C;", ">": "&#x3E;", '"': "&#x22;", "'": "&#x27;" };
const HTML_REFS: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or attribute value, safe inside XML 1.0; characters XML forbids are dropped. */
export function escapeXml(value: string): string {
  return cleanText(value).replace(/[&<>"']/g, (c) => XML_REFS[c] as string);
}

/** Plain text as an HTML fragment that shows exactly that text, for elements that carry HTML. */
export function textToHtml(value: string): string {
  return cleanText(value).replace(/[&<>"']/g, (c) => HTML_REFS[c] as string);
}

/** True when plain text holds something a reader or validator could take for a tag or an entity. */
export const looksLikeMarkup = (value: string) => /<[/!?A-Za-z]|&#?\w/.test(value);

/** `<name attr="…">text</name>`, or nothing when text is empty. */
export function element(name: string, text: string | undefined, attributes = ""): string {
  return text ? `<${name}${attributes}>${escapeXml(text)}</${name}>` : "";
}

export function attrs(values: Record<string, string | undefined>): string {
  let out = "";
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) out += ` ${key}="${escapeXml(value)}"`;
  }
  return out;
}
