// The one place XML text is escaped. Escaping, never CDATA: a title containing `]]>` or `&`
// stays well-formed and validators see plain text.
import { cleanText } from "../article/text.ts";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text or attribute value, safe inside XML 1.0; characters XML forbids are dropped. */
export function escapeXml(value: string): string {
  return cleanText(value).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

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
