// What article HTML may contain: the elements and attributes feed readers render and that cannot
// run script, load anything but images, restyle the host page or clobber its DOM; and the one
// place that decides which URLs an article may carry and how relative ones are stored.

/** How an attribute's value is checked; a value that fails is dropped with its attribute. */
export type AttributeRule = UrlUse | "text" | "boolean" | "class" | RegExp;

const INTEGER = /^-?\d{1,9}$/;
const SPAN = /^\d{1,4}$/;
/** RFC 3339 and the other forms `<time datetime>` takes: digits, separators, a zone. */
const DATETIME = /^[\dT:.+\-Z W]{1,40}$/i;

/** On every allowed element. No `id` or `name`: either becomes a global in the reader's page. */
const GLOBAL: Record<string, AttributeRule> = {
  title: "text",
  lang: /^[A-Za-z\d-]{1,35}$/,
  dir: /^(?:ltr|rtl|auto)$/i,
  class: "class",
};

const CITED = { cite: "link", datetime: DATETIME } as const;
const CELL = { colspan: SPAN, rowspan: SPAN, align: /^(?:left|right|center|justify)$/i } as const;

/** Allowed elements and their own attributes (GLOBAL besides). Anything else never survives. */
export const ELEMENTS: Record<string, Record<string, AttributeRule>> = {
  a: { href: "link" },
  abbr: {},
  b: {},
  bdi: {},
  bdo: {},
  blockquote: { cite: "link" },
  br: {},
  caption: {},
  cite: {},
  code: {},
  col: { span: SPAN },
  colgroup: { span: SPAN },
  data: { value: "text" },
  dd: {},
  del: CITED,
  details: { open: "boolean" },
  dfn: {},
  div: {},
  dl: {},
  dt: {},
  em: {},
  figcaption: {},
  figure: {},
  h1: {},
  h2: {},
  h3: {},
  h4: {},
  h5: {},
  h6: {},
  hr: {},
  i: {},
  img: { src: "image", alt: "text", width: SPAN, height: SPAN },
  // Only GFM's task-list box survives, disabled whatever was written (see markdown.ts).
  input: { type: /^checkbox$/i, checked: "boolean", disabled: "boolean" },
  ins: CITED,
  kbd: {},
  li: { value: INTEGER },
  mark: {},
  ol: { start: INTEGER, reversed: "boolean", type: /^[1aAiI]$/ },
  p: {},
  pre: {},
  q: { cite: "link" },
  rp: {},
  rt: {},
  ruby: {},
  s: {},
  samp: {},
  small: {},
  span: {},
  strong: {},
  sub: {},
  summary: {},
  sup: {},
  table: {},
  tbody: {},
  td: CELL,
  tfoot: {},
  th: { ...CELL, scope: /^(?:row|col|rowgroup|colgroup)$/i, abbr: "text" },
  thead: {},
  time: { datetime: DATETIME },
  tr: {},
  u: {},
  ul: {},
  var: {},
  wbr: {},
};

/** Looks an attribute's rule up: the element's own first, then the global ones. */
export const ruleFor = (element: Record<string, AttributeRule>, name: string): AttributeRule | undefined =>
  Object.hasOwn(element, name) ? element[name] : Object.hasOwn(GLOBAL, name) ? GLOBAL[name] : undefined;

/**
 * Removed with everything inside: code and its data (script, style, template), embedded
 * documents and plug-ins, form controls, document metadata, raw-text elements whose body is not
 * the reader's text, and what a reader with scripting on would not show (noscript). Any other
 * element outside ELEMENTS is unwrapped: its tags go, its content stays.
 */
export const DROPPED = new Set([
  "script",
  "style",
  "template",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "param",
  "portal",
  "fencedframe",
  "noscript",
  "noembed",
  "noframes",
  "xmp",
  "plaintext",
  "textarea",
  "select",
  "option",
  "optgroup",
  "datalist",
  "button",
  "keygen",
  "title",
  "head",
  "meta",
  "link",
  "base",
  "basefont",
  "bgsound",
  "source",
  "track",
  "area",
]);

/**
 * Class names kept, one by one: no microformats2 names (`h-card`, `p-author`, `u-url`…), which
 * would pose as the page's own h-entry properties, and nothing a class cannot be.
 */
export const CLASS_NAME = /^(?![hpue]-|dt-)[^\s\p{Cc}]{1,64}$/u;

// URLs: the schemes each use may carry, and relative ones resolved against the permalink.

/** Resolves relative links; root-relative results are made absolute per request (render/urls.ts). */
const PLACEHOLDER_ORIGIN = "https://article.invalid";

/** The URL an article's relative links are resolved against: its permalink, on a placeholder origin. */
export const articleBase = (slug: string) => `${PLACEHOLDER_ORIGIN}/articles/${slug}`;

/** Where a URL is followed: a link the reader clicks, or an image the reader's client fetches. */
export type UrlUse = "link" | "image";

/**
 * Schemes a reader can only reach by clicking, each opening a program of its own; script-bearing
 * schemes (`javascript:`, `vbscript:`, `data:`, `blob:`, `filesystem:`) and unknown ones stay out.
 */
const LINK_SCHEMES = new Set([
  "http:",
  "https:",
  "mailto:",
  "tel:",
  "sms:",
  "xmpp:",
  "irc:",
  "ircs:",
  "geo:",
  "magnet:",
  "matrix:",
  "webcal:",
  "ftp:",
]);

/**
 * Images are fetched without a click, so only the web's own schemes. No `data:` either: the site's
 * CSP (img-src http: https:) would block it on the article page, it copies the image into every
 * feed page that carries the article, and SVG data URLs have been a way around sanitisers.
 */
const IMAGE_SCHEMES = new Set(["http:", "https:"]);

const SCHEMES: Record<UrlUse, Set<string>> = { link: LINK_SCHEMES, image: IMAGE_SCHEMES };

/**
 * An allowed URL, resolved against `base` (see articleBase) and stored root-relative when it
 * points into the site; null when it cannot be parsed or its scheme is not allowed. `value` is
 * the attribute as a browser reads it (character references already decoded by the HTML parser);
 * the WHATWG URL parser then drops tabs, newlines and surrounding controls as a browser does, so
 * `java\tscript:` is seen for what it is.
 */
export function resolveContentUrl(value: string, base: string, use: UrlUse): string | null {
  const url = URL.parse(value, base);
  if (url === null || !SCHEMES[use].has(url.protocol)) return null;
  if (url.origin === PLACEHOLDER_ORIGIN) return url.pathname + url.search + url.hash;
  return url.href;
}
