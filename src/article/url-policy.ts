// The one place that decides which URLs an article may carry, and how relative ones are stored.

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
