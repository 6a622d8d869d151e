// Markdown → sanitised HTML, run once when an article is stored (API and publish command alike).
import { Marked } from "marked";
import xss from "xss";
import type * as XssModule from "xss";

// xss is CommonJS: Node sees its exports only on the default export, bundlers see both.
const { FilterXSS, escapeAttrValue } = xss as unknown as typeof XssModule;

const marked = new Marked({ gfm: true, async: false });

/** Resolves relative links; root-relative results are made absolute per request (render/urls.ts). */
const PLACEHOLDER_ORIGIN = "https://article.invalid";

const ALLOWED: Record<string, string[]> = {
  a: ["href", "title"],
  abbr: ["title"],
  b: [],
  blockquote: ["cite"],
  br: [],
  caption: [],
  cite: [],
  code: ["class"],
  dd: [],
  del: [],
  details: [],
  dfn: [],
  dl: [],
  dt: [],
  em: [],
  figcaption: [],
  figure: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  hr: [],
  i: [],
  img: ["src", "alt", "title", "width", "height"],
  ins: [],
  kbd: [],
  li: [],
  mark: [],
  ol: ["start"],
  p: [],
  pre: [],
  q: ["cite"],
  s: [],
  samp: [],
  small: [],
  strong: [],
  sub: [],
  summary: [],
  sup: [],
  table: [],
  tbody: [],
  td: ["align", "colspan", "rowspan"],
  tfoot: [],
  th: ["align", "colspan", "rowspan", "scope"],
  thead: [],
  time: ["datetime"],
  tr: [],
  u: [],
  ul: [],
};

const URL_ATTRIBUTES = new Set(["href", "src", "cite"]);
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const IMAGE_SCHEMES = new Set(["http:", "https:"]);

/** An allowed URL, resolved against the article's permalink; null when its scheme is not allowed. */
export function resolveContentUrl(raw: string, base: string, forImage: boolean): string | null {
  // Browsers ignore tabs and newlines inside URLs (`java\tscript:`), so the check must too.
  const value = raw.replace(/[\u0000-\u0020]+/g, (m) => (/^ +$/.test(m) ? m : "")).trim();
  if (value.startsWith("#")) return value;
  if (!URL.canParse(value, base)) return null;
  const url = new URL(value, base);
  if (!(forImage ? IMAGE_SCHEMES : LINK_SCHEMES).has(url.protocol)) return null;
  if (url.origin === PLACEHOLDER_ORIGIN) return url.pathname + url.search + url.hash;
  return url.href;
}

function createFilter(base: string): XssModule.FilterXSS {
  return new FilterXSS({
    whiteList: ALLOWED,
    stripIgnoreTag: true,
    stripIgnoreTagBody: ["script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"],
    allowCommentTag: false,
    onTagAttr(tag: string, name: string, value: string, isAllowed: boolean) {
      if (!isAllowed) return "";
      if (URL_ATTRIBUTES.has(name)) {
        const resolved = resolveContentUrl(value, base, tag === "img");
        return resolved === null ? "" : `${name}="${escapeAttrValue(resolved)}"`;
      }
      if (tag === "code" && name === "class" && !/^language-[\w+-]{1,40}$/.test(value)) return "";
      return undefined;
    },
  });
}

/**
 * Turns an article's Markdown into HTML that is safe to embed in a page or a feed: only the
 * elements and attributes above survive, links keep http(s)/mailto, images http(s), and
 * relative URLs are resolved against `/articles/<slug>`.
 */
export function renderMarkdown(markdown: string, slug: string): string {
  const html = marked.parse(markdown) as string;
  return createFilter(`${PLACEHOLDER_ORIGIN}/articles/${slug}`).process(html).trim();
}
