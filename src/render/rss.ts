// (view) → RSS 2.0. Names go in dc:creator (RSS <author> wants an email), full HTML in
// content:encoded, paging and hub links as atom:link, as the RSS Advisory Board recommends.

import type { ArticleEntry } from "../article/model.ts";
import { iconOfSize } from "./icons.ts";
import { absolutizeHtml, articleUrl, feedsPageUrl, imageType } from "./urls.ts";
import { archiveLinks, authorsOf, type FeedView, homeUrl, pagingLinks, rememberItem, selfUrl } from "./view.ts";
import { attrs, element, rssTextElement, textToHtml } from "./xml.ts";

const rfc822 = (iso: string) => new Date(iso).toUTCString().replace(/GMT$/, "+0000");

/**
 * An item's description is HTML. With a summary, it holds the summary and content:encoded the full
 * text (in that order, as the RSS Profile asks); without one, the full text is the description.
 */
function itemBody(summary: string | undefined, html: string): string {
  if (!summary) return element("description", html);
  return element("description", textToHtml(summary)) + element("content:encoded", html);
}

/**
 * An article's image as media:content and as an enclosure: some readers (rss-parser, sfeed) read
 * images only from enclosures. The length is unknown, and 0 says so (RSS Best Practices Profile).
 */
function imageElements(url: string): string {
  const type = imageType(url);
  return `<media:content${attrs({ url, type, medium: "image" })}/><enclosure${attrs({ url, length: "0", type })}/>`;
}

/** The site icon as the channel image, at the 144 px the RSS spec allows at most. */
function channelImage(view: FeedView): string {
  const icon = iconOfSize(144);
  const size = String(Math.min(icon.size, 144));
  return (
    "<image>" +
    element("url", `${view.site.origin}${icon.path}`) +
    rssTextElement("title", view.title) +
    element("link", homeUrl(view)) +
    element("width", size) +
    element("height", size) +
    "</image>"
  );
}

/** Minutes a reader may wait between polls: the feed's Cache-Control max-age is made from it. */
export const POLL_MINUTES = 5;

function renderItem(view: FeedView, entry: ArticleEntry): string {
  const { site } = view;
  return (
    "<item>" +
    rssTextElement("title", entry.title) +
    element("link", articleUrl(site.origin, entry.slug)) +
    element("guid", entry.id, ` isPermaLink="false"`) +
    element("pubDate", rfc822(entry.publishedAt)) +
    authorsOf(view, entry)
      .map((a) => rssTextElement("dc:creator", a.name))
      .join("") +
    entry.tags.map((tag) => rssTextElement("category", tag)).join("") +
    itemBody(entry.summary, absolutizeHtml(entry.html, site.origin)) +
    (entry.image ? imageElements(entry.image) : "") +
    "</item>"
  );
}

export function renderRss(view: FeedView): string {
  const { site } = view;
  const atomLinks = [
    `<atom:link${attrs({ href: selfUrl(view, "rss"), rel: "self", type: "application/rss+xml" })}/>`,
    ...Object.entries({ ...pagingLinks(view, "rss"), ...archiveLinks(view, "rss") }).map(
      ([rel, href]) => `<atom:link${attrs({ href, rel, type: "application/rss+xml" })}/>`,
    ),
    `<atom:link${attrs({ href: feedsPageUrl(site.origin), rel: "related", type: "text/html" })}/>`,
    site.hub ? `<atom:link${attrs({ href: site.hub, rel: "hub" })}/>` : "",
  ];
  // Archives never change once full: no polling hints there.
  const hints = view.archive
    ? "<fh:archive/>"
    : `<ttl>${POLL_MINUTES}</ttl><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>${60 / POLL_MINUTES}</sy:updateFrequency>`;
  let items = "";
  for (const entry of view.entries) items += rememberItem("rss", view, entry, () => renderItem(view, entry));
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:fh="http://purl.org/syndication/history/1.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">` +
    "<channel>" +
    rssTextElement("title", view.title) +
    element("link", homeUrl(view)) +
    rssTextElement("description", view.description) +
    element("language", site.language) +
    element("lastBuildDate", rfc822(view.updated)) +
    element("docs", "https://www.rssboard.org/rss-specification") +
    channelImage(view) +
    hints +
    atomLinks.join("") +
    items +
    "</channel></rss>\n"
  );
}
