// (site, stored lists) → the files that help readers and crawlers find everything: an OPML 2.0
// list of every feed, a sitemaps.org sitemap (or its index once it needs more than one file), and robots.txt.
import type { Site } from "../site.ts";
import { feedUrl, pageUrl } from "./urls.ts";
import { attrs, element } from "./xml.ts";

/** One feed scope as the OPML and the feeds page list it. */
export interface FeedListing {
  slug: string | null;
  name: string;
}

/**
 * OPML 2.0 (opml.org/spec2): the site's feed, then a folder with each tag's, in RSS 2.0, which
 * every reader takes. One feed per scope, so an import subscribes to nothing twice.
 */
export function renderOpml(site: Site, tags: FeedListing[]): string {
  const outline = (scope: FeedListing, title: string) =>
    `<outline${attrs({
      type: "rss",
      version: "RSS2",
      text: title,
      title,
      xmlUrl: feedUrl(site.origin, scope.slug, "rss"),
      htmlUrl: pageUrl(site.origin, scope.slug),
      description: scope.slug === null ? site.description || undefined : undefined,
    })}/>`;
  const folder =
    tags.length === 0
      ? ""
      : `<outline${attrs({ text: `${site.title}: tags`, title: `${site.title}: tags` })}>${tags
          .map((tag) => outline(tag, `${site.title}: ${tag.name}`))
          .join("")}</outline>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<opml version="2.0"><head>` +
    element("title", `Every feed of ${site.title}`) +
    element("ownerName", site.author) +
    element("docs", "http://opml.org/spec2.opml") +
    `</head><body>` +
    outline({ slug: null, name: site.title }, site.title) +
    folder +
    "</body></opml>\n"
  );
}

export const OPML_TYPE = "text/x-opml; charset=utf-8";

/** A sitemaps.org urlset; paths are root-relative and made absolute here. */
export function renderSitemap(site: Site, urls: [path: string, lastmod: string][]): string {
  const body = urls
    .map(([path, lastmod]) => `<url>${element("loc", `${site.origin}${path}`)}${element("lastmod", lastmod)}</url>`)
    .join("");
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${body}</urlset>\n`;
}

/** A sitemaps.org sitemapindex of the parts, each at /sitemaps/<n>.xml. */
export function renderSitemapIndex(site: Site, parts: [part: number, lastmod: string][]): string {
  const body = parts
    .map(
      ([part, lastmod]) =>
        `<sitemap>${element("loc", `${site.origin}/sitemaps/${part}.xml`)}${element("lastmod", lastmod)}</sitemap>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${body}</sitemapindex>\n`;
}

export function renderRobots(site: Site): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${site.origin}/sitemap.xml\n`;
}
