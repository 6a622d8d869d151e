// (view) → JSON Feed 1.1, typed so that an item without content cannot be built.
import { type ArticleEntry, modifiedAt } from "../article/model.ts";
import { absolutizeHtml, articleUrl, feedUrl } from "./urls.ts";
import { authorsOf, type FeedView, homeUrl, pagingLinks, rememberItem } from "./view.ts";

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
  date_published?: string;
  date_modified?: string;
  authors?: JsonFeedAuthor[];
  tags?: string[];
  language?: string;
};

export interface JsonFeed {
  version: "https://jsonfeed.org/version/1.1";
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  next_url?: string;
  language?: string;
  authors?: JsonFeedAuthor[];
  hubs?: { type: string; url: string }[];
  items: JsonFeedItem[];
}

const author = (a: { name: string; url?: string | undefined }): JsonFeedAuthor =>
  a.url ? { name: a.name, url: a.url } : { name: a.name };

function feedHead(view: FeedView): Omit<JsonFeed, "items"> {
  const { site } = view;
  const next = pagingLinks(view, "json").next;
  return {
    version: "https://jsonfeed.org/version/1.1",
    title: view.title,
    home_page_url: homeUrl(view),
    feed_url: feedUrl(site.origin, view.tag?.slug ?? null, "json", view.page),
    description: view.description,
    ...(next ? { next_url: next } : {}),
    language: site.language,
    authors: [{ name: site.author }],
    ...(site.hub ? { hubs: [{ type: "WebSub", url: site.hub }] } : {}),
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
  if (entry.image) item.image = entry.image;
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
