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

/** Stored article HTML keeps site links root-relative so the origin can change; made absolute here. */
export function absolutizeHtml(html: string, origin: string): string {
  return html.replace(/ (href|src|cite)="\//g, ` $1="${origin}/`);
}
