// (view) → JSON Feed 1.1, typed so that an item without content cannot be built.
import { type ArticleEntry, modifiedAt } from "../article/model.ts";
import { iconOfSize } from "./icons.ts";
import { absolutizeHtml, articleUrl, feedsPageUrl } from "./urls.ts";
import { archiveLinks, authorsOf, type FeedView, homeUrl, pagingLinks, rememberItem, selfUrl } from "./view.ts";

export interface JsonFeedAuthor {
  name: string;
  url?: string;
  avatar?: string;
}

type JsonFeedContent =
  | { content_html: string; content_text?: string }
  | { content_html?: string; content_text: string };

export type JsonFeedItem = JsonFeedContent & {
  id: string;
  url?: string;
  title?: string;
  summary?: string;
  image?: string;
  banner_image?: string;
  date_published?: string;
  date_modified?: string;
  authors?: JsonFeedAuthor[];
  tags?: string[];
  language?: string;
};

/**
 * JSON Feed has no archives: this extension carries RFC 5005's links, and an archive's `next_url`
 * leads to the older archive, so a reader that only follows `next_url` still walks them all.
 */
export interface JsonFeedArchive {
  about: string;
  archive?: true;
  current?: string;
  "prev-archive"?: string;
  "next-archive"?: string;
}

export interface JsonFeed {
  version: "https://jsonfeed.org/version/1.1";
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  user_comment?: string;
  next_url?: string;
  icon?: string;
  favicon?: string;
  language?: string;
  authors?: JsonFeedAuthor[];
  hubs?: { type: string; url: string }[];
  _rfc5005?: JsonFeedArchive;
  items: JsonFeedItem[];
}

const author = (a: { name: string; url?: string | undefined }): JsonFeedAuthor =>
  a.url ? { name: a.name, url: a.url } : { name: a.name };

function feedHead(view: FeedView): Omit<JsonFeed, "items"> {
  const { site } = view;
  const archive = archiveLinks(view, "json");
  // An archive's next page is the older archive; a feed page's is the next page.
  const next = view.archive ? archive["prev-archive"] : pagingLinks(view, "json").next;
  const history: JsonFeedArchive | null =
    view.archive || Object.keys(archive).length > 0
      ? {
          about: "https://www.rfc-editor.org/rfc/rfc5005#section-4",
          ...(view.archive ? { archive: true } : {}),
          ...archive,
        }
      : null;
  return {
    version: "https://jsonfeed.org/version/1.1",
    title: view.title,
    home_page_url: homeUrl(view),
    feed_url: selfUrl(view, "json"),
    description: view.description,
    user_comment: `This is a feed: add ${selfUrl(view, "json")} to a feed reader to follow ${site.title}. Every feed of the site is listed at ${feedsPageUrl(site.origin)}.`,
    ...(next ? { next_url: next } : {}),
    icon: `${site.origin}${iconOfSize(512).path}`,
    favicon: `${site.origin}${iconOfSize(64).path}`,
    language: site.language,
    authors: [{ name: site.author }],
    ...(site.hub && !view.archive ? { hubs: [{ type: "WebSub", url: site.hub }] } : {}),
    ...(history ? { _rfc5005: history } : {}),
  };
}

function jsonFeedItem(view: FeedView, entry: ArticleEntry): JsonFeedItem {
  const { site } = view;
  const item: JsonFeedItem = {
    id: entry.id,
    url: articleUrl(site.origin, entry.slug),
    title: entry.title,
    content_html: absolutizeHtml(entry.html, site.origin),
    date_published: entry.publishedAt,
    date_modified: modifiedAt(entry),
    authors: authorsOf(view, entry).map(author),
  };
  if (entry.summary) item.summary = entry.summary;
  if (entry.image) {
    item.image = entry.image;
    item.banner_image = entry.image;
  }
  if (entry.tags.length > 0) item.tags = entry.tags;
  if (entry.language) item.language = entry.language;
  return item;
}

export function buildJsonFeed(view: FeedView): JsonFeed {
  return { ...feedHead(view), items: view.entries.map((entry) => jsonFeedItem(view, entry)) };
}

/** Compact JSON: readers parse it, and each item's text is remembered between renders. */
export function renderJsonFeed(view: FeedView): string {
  let items = "";
  for (const entry of view.entries) {
    if (items) items += ",";
    items += rememberItem("json", view, entry, () => JSON.stringify(jsonFeedItem(view, entry)));
  }
  return `${JSON.stringify(feedHead(view)).slice(0, -1)},"items":[${items}]}\n`;
}
