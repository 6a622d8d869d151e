// (view) → RSS 2.0. Names go in dc:creator (RSS <author> wants an email), full HTML in
// content:encoded, paging and hub links as atom:link, as the RSS Advisory Board recommends.

import type { ArticleEntry } from "../article/model.ts";
import { absolutizeHtml, articleUrl } from "./urls.ts";
import { authorsOf, type FeedView, homeUrl, pagingLinks, rememberItem, selfUrl } from "./view.ts";
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
    (entry.image ? `<media:thumbnail${attrs({ url: entry.image })}/>` : "") +
    "</item>"
  );
}

export function renderRss(view: FeedView): string {
  const { site } = view;
  const atomLinks = [
    `<atom:link${attrs({ href: selfUrl(view, "rss"), rel: "self", type: "application/rss+xml" })}/>`,
    ...Object.entries(pagingLinks(view, "rss")).map(([rel, href]) => `<atom:link${attrs({ href, rel })}/>`),
    site.hub ? `<atom:link${attrs({ href: site.hub, rel: "hub" })}/>` : "",
  ];
  let items = "";
  for (const entry of view.entries) items += rememberItem("rss", view, entry, () => renderItem(view, entry));
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">` +
    "<channel>" +
    rssTextElement("title", view.title) +
    element("link", homeUrl(view)) +
    rssTextElement("description", view.description) +
    element("language", site.language) +
    (view.updated ? element("lastBuildDate", rfc822(view.updated)) : "") +
    atomLinks.join("") +
    items +
    "</channel></rss>\n"
  );
}
