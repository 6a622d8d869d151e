// The JSON API's view of a stored article: links made absolute, its address added.
import type { Article } from "../article/model.ts";
import type { Site } from "../site.ts";
import { absolutizeHtml, articleUrl } from "./urls.ts";

export function publicRecord(site: Site, article: Article) {
  return { ...article, html: absolutizeHtml(article.html, site.origin), url: articleUrl(site.origin, article.slug) };
}
