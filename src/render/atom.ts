// (view) → Atom 1.0 (RFC 4287), with RFC 5005 paging links.
import { type ArticleEntry, modifiedAt } from "../article/model.ts";
import { iconOfSize } from "./icons.ts";
import { absolutizeHtml, articleUrl, feedsPageUrl, imageType } from "./urls.ts";
import { archiveLinks, authorsOf, type FeedView, homeUrl, pagingLinks, rememberItem, selfUrl } from "./view.ts";
import { attrs, element, looksLikeMarkup, textToHtml } from "./xml.ts";

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
    (entry.image ? `<link${attrs({ rel: "enclosure", type: imageType(entry.image), href: entry.image })}/>` : "") +
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
    ...Object.entries({ ...pagingLinks(view, "atom"), ...archiveLinks(view, "atom") }).map(
      ([rel, href]) => `<link${attrs({ rel, type: "application/atom+xml", href })}/>`,
    ),
    `<link${attrs({ rel: "related", type: "text/html", href: feedsPageUrl(site.origin) })}/>`,
    site.hub ? `<link${attrs({ rel: "hub", href: site.hub })}/>` : "",
  ];
  // RFC 6721: readers drop entries a subscription feed says were deleted.
  const tombstones = view.gone.map(([ref, when]) => `<at:deleted-entry${attrs({ ref, when })}/>`).join("");
  let entries = "";
  for (const entry of view.entries) entries += rememberItem("atom", view, entry, () => renderEntry(view, entry));
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<feed xmlns="http://www.w3.org/2005/Atom"${view.gone.length > 0 ? ' xmlns:at="http://purl.org/atompub/tombstones/1.0"' : ""}${view.archive ? ' xmlns:fh="http://purl.org/syndication/history/1.0"' : ""}${attrs({ "xml:lang": site.language })}>` +
    // One logical feed across its pages and archives (RFC 5005), so one id.
    element("id", homeUrl({ ...view, page: 1 })) +
    text("title", view.title) +
    text("subtitle", view.description) +
    element("updated", view.updated) +
    links.join("") +
    (view.archive ? "<fh:archive/>" : "") +
    `<author>${element("name", site.author)}</author>` +
    element("icon", `${site.origin}${iconOfSize(64).path}`) +
    element("logo", `${site.origin}${iconOfSize(512).path}`) +
    entries +
    tombstones +
    "</feed>\n"
  );
}
