// The neutral model every renderer reads: one page of one scope, with its URLs worked out.
import { type ArticleEntry, modifiedAt } from "../article/model.ts";
import { Lru } from "../lru.ts";
import type { Site } from "../site.ts";
import { type FeedFormat, feedUrl, pageUrl } from "./urls.ts";

export interface FeedView {
  site: Site;
  /** null for the whole site; the tag's URL form otherwise. */
  tag: { slug: string; name: string } | null;
  title: string;
  description: string;
  page: number;
  lastPage: number;
  total: number;
  entries: ArticleEntry[];
  /**
   * Newest change among the entries shown: the feed's updated date and Last-Modified. For a page
   * with no entries, the store's last change when the caller knows it, else null (no date is
   * better than an invented one).
   */
  updated: string | null;
}

export interface PageLinks {
  first: string;
  last: string;
  previous?: string;
  next?: string;
}

export function buildFeedView(
  site: Site,
  tag: FeedView["tag"],
  page: number,
  total: number,
  entries: ArticleEntry[],
  emptyUpdated: string | null = null,
): FeedView {
  const updated = entries.reduce<string | null>(
    (max, e) => (max === null || modifiedAt(e) > max ? modifiedAt(e) : max),
    null,
  );
  return {
    site,
    tag,
    title: tag ? `${site.title}: ${tag.name}` : site.title,
    description: tag ? `Articles tagged “${tag.name}” on ${site.title}.` : site.description || site.title,
    page,
    lastPage: Math.max(1, Math.ceil(total / site.pageSize)),
    total,
    entries,
    updated: updated ?? emptyUpdated,
  };
}

/** RFC 5005 paging links for a feed (format) or for the HTML pages (no format). */
export function pagingLinks(view: FeedView, format?: FeedFormat): PageLinks {
  const url = (page: number) =>
    format
      ? feedUrl(view.site.origin, view.tag?.slug ?? null, format, page)
      : pageUrl(view.site.origin, view.tag?.slug ?? null, page);
  const links: PageLinks = { first: url(1), last: url(view.lastPage) };
  if (view.page > 1) links.previous = url(view.page - 1);
  if (view.page < view.lastPage) links.next = url(view.page + 1);
  return links;
}

export const selfUrl = (view: FeedView, format: FeedFormat) =>
  feedUrl(view.site.origin, view.tag?.slug ?? null, format, view.page);

export const homeUrl = (view: FeedView) => pageUrl(view.site.origin, view.tag?.slug ?? null, view.page);

export const authorsOf = (view: FeedView, entry: ArticleEntry) =>
  entry.authors.length > 0 ? entry.authors : [{ name: view.site.author }];

const renderedItems = new Lru<string>(3_000, 16 * 1024 * 1024);

/**
 * One entry's rendered item, remembered: it depends only on the entry (its content hash) and the
 * site, so after a publish a feed re-renders the one item that changed, not the whole page.
 */
export function rememberItem(format: string, view: FeedView, entry: ArticleEntry, render: () => string): string {
  const { site } = view;
  const key = `${format}\n${entry.hash}\n${entry.slug}\n${site.origin}\n${site.author}\n${site.language}`;
  let item = renderedItems.get(key);
  if (item === undefined) {
    item = render();
    renderedItems.set(key, item, { weight: item.length });
  }
  return item;
}
