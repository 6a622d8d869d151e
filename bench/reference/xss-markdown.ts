// The previous src/article/markdown.ts (marked, the xss package, a hand-written entity table and
// tag balancer), kept only as bench/markdown.ts's reference: the Worker does not use it.
import { Marked } from "marked";
import type * as XssModule from "xss";
import xss from "xss";

// xss is CommonJS: Node sees its exports only on the default export, bundlers see both.
const { FilterXSS } = xss as unknown as typeof XssModule;

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
/** Elements removed with everything inside them, not just their tags. */
const DROPPED_WITH_BODY = new Set(["script", "style", "iframe", "object", "noscript", "template", "svg", "math"]);

// Enough named references for URLs and excerpts; anything else stays literal text, which is
// still safe because every `&` is escaped again on the way out.
const NAMED_REFERENCES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  colon: ":",
  semi: ";",
  Tab: "\t",
  NewLine: "\n",
  sol: "/",
  bsol: "\\",
  lpar: "(",
  rpar: ")",
  period: ".",
  comma: ",",
  excl: "!",
  num: "#",
  percnt: "%",
  quest: "?",
  equals: "=",
  commat: "@",
  plus: "+",
  lowbar: "_",
  dollar: "$",
  ast: "*",
  nbsp: "\u00a0",
  ndash: "\u2013",
  mdash: "\u2014",
  hellip: "\u2026",
  lsquo: "\u2018",
  rsquo: "\u2019",
  ldquo: "\u201c",
  rdquo: "\u201d",
  laquo: "\u00ab",
  raquo: "\u00bb",
  copy: "\u00a9",
};

/** HTML character references → characters, as a browser reads an attribute value or text. */
export function decodeCharacterReferences(value: string): string {
  return value.replace(
    /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(amp|lt|gt|quot)|([A-Za-z]+););?/g,
    (match, dec?: string, hexa?: string, legacy?: string, name?: string) => {
      if (dec !== undefined || hexa !== undefined) {
        const code = Number.parseInt((dec ?? hexa) as string, dec !== undefined ? 10 : 16);
        const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
        return valid ? String.fromCodePoint(code) : "\ufffd";
      }
      return NAMED_REFERENCES[(legacy ?? name) as string] ?? match;
    },
  );
}

const escapeAttribute = (value: string) =>
  value.replace(/[&"<>]/g, (c) => ({ "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" })[c] as string);

/**
 * An allowed URL, resolved against the article's permalink; null when its scheme is not allowed.
 * `raw` is the attribute as written: character references are decoded first and the WHATWG
 * parser does the rest (it drops tabs and newlines, `java\tscript:` included), so the check
 * sees the URL a browser would follow.
 */
export function resolveContentUrl(raw: string, base: string, forImage: boolean): string | null {
  const value = decodeCharacterReferences(raw);
  if (!URL.canParse(value, base)) return null;
  const url = new URL(value, base);
  if (!(forImage ? IMAGE_SCHEMES : LINK_SCHEMES).has(url.protocol)) return null;
  if (url.origin === PLACEHOLDER_ORIGIN) return url.pathname + url.search + url.hash;
  return url.href;
}

/** One sanitising pass; stateful (it tracks dropped elements), so made per document. */
function createSanitizer(base: string): (html: string) => string {
  const cuts: [number, number][] = [];
  let droppingSince: number | null = null;
  const filter = new FilterXSS({
    whiteList: ALLOWED,
    allowCommentTag: false,
    // Text keeps `"` escaped too, so no attribute-looking text survives to be rewritten later.
    escapeHtml: (text: string) =>
      text.replace(/[<>"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string),
    onIgnoreTag(tag: string, _html: string, options: { position?: number; isClosing?: boolean }) {
      // xss's own stripIgnoreTagBody leaves "[removed]" markers; this drops the body silently.
      if (DROPPED_WITH_BODY.has(tag)) {
        const position = options.position ?? 0;
        if (options.isClosing) {
          if (droppingSince !== null) cuts.push([droppingSince, position]);
          droppingSince = null;
        } else droppingSince ??= position;
      }
      return "";
    },
    onTagAttr(tag: string, name: string, value: string, isAllowed: boolean) {
      if (!isAllowed) return "";
      if (URL_ATTRIBUTES.has(name)) {
        const resolved = resolveContentUrl(value, base, tag === "img");
        return resolved === null ? "" : `${name}="${escapeAttribute(resolved)}"`;
      }
      if (tag === "code" && name === "class" && !/^language-[\w+-]{1,40}$/.test(value)) return "";
      return undefined;
    },
  });
  return (html) => {
    let out = filter.process(html);
    // An element never closed (`<script>alert(1)`) swallows the rest, as it would in a browser.
    if (droppingSince !== null) out = out.slice(0, droppingSince);
    for (const [from, to] of cuts.reverse()) out = out.slice(0, from) + out.slice(to);
    return balanceTags(out);
  };
}

const VOID_ELEMENTS = new Set(["br", "hr", "img"]);

/**
 * Closes what the content left open and drops closing tags it never opened, so an article
 * cannot spill out of its container (`</div></article>…`) on the page or in a feed reader.
 * Works on the sanitiser's output, where every tag is an allowed, re-serialised one.
 */
function balanceTags(html: string): string {
  const open: string[] = [];
  const out = html.replace(/<(\/?)([a-z][a-z0-9]*)\b[^>]*>/g, (tag, slash: string, name: string) => {
    if (VOID_ELEMENTS.has(name)) return slash ? "" : tag;
    if (!slash) {
      open.push(name);
      return tag;
    }
    const at = open.lastIndexOf(name);
    if (at === -1) return "";
    return open
      .splice(at)
      .reverse()
      .map((n) => `</${n}>`)
      .join("");
  });
  return (
    out +
    open
      .reverse()
      .map((n) => `</${n}>`)
      .join("")
  );
}

/**
 * Turns an article's Markdown into HTML that is safe to embed in a page or a feed: only the
 * elements and attributes above survive, links keep http(s)/mailto, images http(s), and
 * relative URLs are resolved against `/articles/<slug>`.
 */
export function renderMarkdown(markdown: string, slug: string): string {
  const html = marked.parse(markdown) as string;
  return createSanitizer(`${PLACEHOLDER_ORIGIN}/articles/${slug}`)(html).trim();
}
