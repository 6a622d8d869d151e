// (view) → JSON Feed 1.1, typed so that an item without content cannot be built.
import { modifiedAt } from "../article/model.ts";
import { absolutizeHtml, articleUrl, feedUrl } from "./urls.ts";
import { authorsOf, type FeedView, homeUrl, pagingLinks } from "./view.ts";

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

export function buildJsonFeed(view: FeedView): JsonFeed {
  const { site } = view;
  const next = pagingLinks(view, "json").next;
  const feed: JsonFeed = {
    version: "https://jsonfeed.org/version/1.1",
    title: view.title,
    home_page_url: homeUrl(view),
    feed_url: feedUrl(site.origin, view.tag?.slug ?? null, "json", view.page),
    description: view.description,
    ...(next ? { next_url: next } : {}),
    language: site.language,
    authors: [{ name: site.author }],
    ...(site.hub ? { hubs: [{ type: "WebSub", url: site.hub }] } : {}),
    items: view.entries.map((entry) => {
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
    }),
  };
  return feed;
}

export function renderJsonFeed(view: FeedView): string {
  return `${JSON.stringify(buildJsonFeed(view), null, 2)}\n`;
}
