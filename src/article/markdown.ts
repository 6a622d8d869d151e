// Markdown → sanitised HTML, run once when an article is stored (API and publish command alike).
import { decodeHTML } from "entities";
import { Marked } from "marked";
import { sanitizeHtml } from "./sanitize-html.ts";
import { articleBase } from "./url-policy.ts";

const marked = new Marked({ gfm: true, async: false });

/** HTML character references → characters, as a browser reads text (all 2,231 names). */
export function decodeCharacterReferences(value: string): string {
  return decodeHTML(value);
}

/**
 * Turns an article's Markdown into HTML that is safe to embed in a page or a feed: what marked
 * renders, pruned to html-policy.ts as a browser would parse it, with URLs checked and relative
 * ones resolved against `/articles/<slug>` (url-policy.ts).
 */
export function renderMarkdown(markdown: string, slug: string): string {
  return sanitizeHtml(marked.parse(markdown) as string, articleBase(slug));
}
