// Every public URL the site emits, built from the site's origin.
export type FeedFormat = "rss" | "atom" | "json";

export const FEED_FILES: Record<FeedFormat, string> = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" };
export const FEED_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  json: "application/feed+json",
};

export const articleUrl = (origin: string, slug: string) => `${origin}/articles/${slug}`;

/** Path of a scope's pages: "" for the whole site, `/tags/<slug>` for a tag. */
export const scopePath = (tagSlug: string | null) => (tagSlug === null ? "" : `/tags/${encodeURIComponent(tagSlug)}`);

const withPage = (url: string, page: number) => (page > 1 ? `${url}?page=${page}` : url);

export const pageUrl = (origin: string, tagSlug: string | null, page = 1) =>
  withPage(`${origin}${scopePath(tagSlug) || "/"}`, page);

export const feedUrl = (origin: string, tagSlug: string | null, format: FeedFormat, page = 1) =>
  withPage(`${origin}${scopePath(tagSlug)}/${FEED_FILES[format]}`, page);

/** An RFC 5005 archive document of a scope, numbered from 1 (the oldest). */
export const archiveUrl = (origin: string, tagSlug: string | null, format: FeedFormat, archive: number) =>
  `${origin}${scopePath(tagSlug)}/archives/${archive}/${FEED_FILES[format]}`;

/** Stored article HTML keeps site links root-relative so the origin can change; made absolute here. */
export function absolutizeHtml(html: string, origin: string): string {
  return html.replace(/ (href|src|cite)="\//g, ` $1="${origin}/`);
}

/** The page for people who click a feed link: what feeds are, and every feed's URL. */
export const feedsPageUrl = (origin: string) => `${origin}/feeds`;
export const opmlUrl = (origin: string) => `${origin}/feeds.opml`;

const IMAGE_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  svg: "image/svg+xml",
};

/** An image's media type from its URL's extension; JPEG when it names none (the commonest). */
export function imageType(url: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return (extension && IMAGE_TYPES[extension]) || "image/jpeg";
}
