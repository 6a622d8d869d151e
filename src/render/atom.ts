// (view) → Atom 1.0 (RFC 4287), with RFC 5005 paging links.
import { type ArticleEntry, modifiedAt } from "../article/model.ts";
import { absolutizeHtml, articleUrl } from "./urls.ts";
import { authorsOf, type FeedView, homeUrl, pagingLinks, rememberItem, selfUrl } from "./view.ts";
import { attrs, element, looksLikeMarkup, textToHtml } from "./xml.ts";

/** An empty site has no date to show, but Atom requires one. */
const EMPTY_FEED_UPDATED = "1970-01-01T00:00:00Z";

/** An Atom text construct: plain text, or declared HTML when the text could be read as markup. */
function text(name: string, value: string | undefined): string {
  if (!value) return "";
  return looksLikeMarkup(value)
    ? element(name, textToHtml(value), ` type="html"`)
    : element(name, value, ` type="text"`);
}

function renderEntry(view: FeedView, entry: ArticleEntry): string {
  const { site } = view;
  const lang = entry.language && entry.language !== site.language ? attrs({ "xml:lang": entry.language }) : "";
  return (
    `<entry${lang}>` +
    element("id", entry.id) +
    text("title", entry.title) +
    `<link${attrs({ rel: "alternate", type: "text/html", href: articleUrl(site.origin, entry.slug) })}/>` +
    element("published", entry.publishedAt) +
    element("updated", modifiedAt(entry)) +
    authorsOf(view, entry)
      .map((a) => `<author>${element("name", a.name)}${element("uri", a.url)}${element("email", a.email)}</author>`)
      .join("") +
    entry.tags.map((tag) => `<category${attrs({ term: tag })}/>`).join("") +
    text("summary", entry.summary) +
    element("content", absolutizeHtml(entry.html, site.origin), ` type="html"`) +
    "</entry>"
  );
}

export function renderAtom(view: FeedView): string {
  const { site } = view;
  const links = [
    `<link${attrs({ rel: "alternate", type: "text/html", href: homeUrl(view) })}/>`,
    `<link${attrs({ rel: "self", type: "application/atom+xml", href: selfUrl(view, "atom") })}/>`,
    ...Object.entries(pagingLinks(view, "atom")).map(
      ([rel, href]) => `<link${attrs({ rel, type: "application/atom+xml", href })}/>`,
    ),
    site.hub ? `<link${attrs({ rel: "hub", href: site.hub })}/>` : "",
  ];
  let entries = "";
  for (const entry of view.entries) entries += rememberItem("atom", view, entry, () => renderEntry(view, entry));
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<feed xmlns="http://www.w3.org/2005/Atom"${attrs({ "xml:lang": site.language })}>` +
    element("id", homeUrl({ ...view, page: 1 })) +
    text("title", view.title) +
    text("subtitle", view.description) +
    element("updated", view.updated ?? EMPTY_FEED_UPDATED) +
    links.join("") +
    `<author>${element("name", site.author)}</author>` +
    entries +
    "</feed>\n"
  );
}
