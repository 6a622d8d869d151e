// The neutral model every renderer reads: one page of one scope, with its URLs worked out.
import type { ArticleEntry } from "../article/model.ts";
import { Lru } from "../lru.ts";
import type { Site } from "../site.ts";
import type { GoneRef, ScopeHead } from "../store/keys.ts";
import { archiveUrl, type FeedFormat, feedUrl, pageUrl } from "./urls.ts";

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
  /** When the document last changed, as the writer recorded it: the feed's updated date. */
  updated: string;
  /** RFC 5005 §4: the newest archive document, which page 1 links as prev-archive; null if none. */
  newestArchive: number | null;
  /** Deleted articles a subscription feed announces (RFC 6721): page 1 only. */
  gone: GoneRef[];
  /** Set on archive documents: which one, whether it is full, and the newest one's number. */
  archive?: { number: number; full: boolean; newest: number };
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
  head: ScopeHead,
  entries: ArticleEntry[],
): FeedView {
  const openArchiveHasEntries = head.rows.length > head.split;
  return {
    site,
    tag,
    title: tag ? `${site.title}: ${tag.name}` : site.title,
    description: tag ? `Articles tagged “${tag.name}” on ${site.title}.` : site.description || site.title,
    page,
    lastPage: Math.max(1, Math.ceil(head.total / site.pageSize)),
    total: head.total,
    entries,
    updated: head.changed,
    newestArchive: openArchiveHasEntries ? head.archives + 1 : head.archives > 0 ? head.archives : null,
    gone: page === 1 ? head.gone : [],
  };
}

/** An RFC 5005 archive document: full ones never change, the open one holds what page 1 does not. */
export function buildArchiveView(
  site: Site,
  tag: FeedView["tag"],
  head: ScopeHead,
  archive: { number: number; full: boolean; changed: string; entries: ArticleEntry[] },
): FeedView {
  const view = buildFeedView(site, tag, 1, head, archive.entries);
  return {
    ...view,
    title: `${view.title} (archive ${archive.number})`,
    lastPage: 1,
    total: archive.entries.length,
    updated: archive.changed,
    newestArchive: null,
    gone: [],
    archive: { number: archive.number, full: archive.full, newest: head.archives + 1 },
  };
}

/** RFC 5005 §4 links: an archive's neighbours and the subscription feed, or page 1's newest archive. */
export function archiveLinks(view: FeedView, format: FeedFormat): Record<string, string> {
  const tag = view.tag?.slug ?? null;
  const origin = view.site.origin;
  const links: Record<string, string> = {};
  if (view.archive) {
    const { number, newest } = view.archive;
    links.current = feedUrl(origin, tag, format);
    if (number > 1) links["prev-archive"] = archiveUrl(origin, tag, format, number - 1);
    if (number < newest) links["next-archive"] = archiveUrl(origin, tag, format, number + 1);
  } else if (view.page === 1 && view.newestArchive !== null) {
    links["prev-archive"] = archiveUrl(origin, tag, format, view.newestArchive);
  }
  return links;
}

/** RFC 5005 paging links for a feed (format) or for the HTML pages (no format). */
export function pagingLinks(view: FeedView, format?: FeedFormat): Partial<PageLinks> {
  if (view.archive) return {};
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
  view.archive
    ? archiveUrl(view.site.origin, view.tag?.slug ?? null, format, view.archive.number)
    : feedUrl(view.site.origin, view.tag?.slug ?? null, format, view.page);

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
