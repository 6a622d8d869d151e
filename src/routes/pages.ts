// HTML routes: the site, one article, a tag, and the stylesheet they share.
import type { Context, Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { isSlug } from "../article/model.ts";
import { CACHE_TAGS } from "../cache/tags.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { cachingHeaders, FRESHNESS, fromStore, serveRepresentation } from "../http/representation.ts";
import { renderArticlePage, renderGonePage, renderListPage } from "../render/html.tsx";
import { STYLESHEET, STYLESHEET_HASH, STYLESHEET_PATH } from "../render/style.ts";
import { siteFingerprint } from "../site.ts";
import { readArticle } from "../store/read.ts";
import { NotFound, RENDER_VERSION, renderScope, resolveScopePage, scopeEtag } from "./scope.ts";

// The stylesheet is a separate file at a content-hashed URL rather than inlined: pages are cached
// for a minute, the sheet for a year and once for every page, and CSP needs no hash or nonce
// that would have to change with it. Pages carry no script at all, so script-src stays 'none'.

export const pageSecurity = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    // Article bodies may show images from anywhere; nothing else is loaded.
    imgSrc: ["https:", "http:"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  referrerPolicy: "strict-origin-when-cross-origin",
  crossOriginEmbedderPolicy: false,
});

const HTML = "text/html; charset=utf-8";

async function listPage(c: Context<AppEnv>) {
  const page = await resolveScopePage(c, c.req.param("tag"));
  return serveRepresentation(c, {
    etag: await scopeEtag(c, "html", page),
    lastModified: page.lastModified,
    contentType: HTML,
    freshness: FRESHNESS.page,
    cacheTags: page.cacheTags,
    render: () => renderScope(c, "html", page, renderListPage),
  });
}

async function articlePage(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!isSlug(slug)) throw new NotFound();
  const tags = [CACHE_TAGS.site, CACHE_TAGS.article(slug)];
  const value = await fromStore(() => readArticle(c.env.ARTICLES, slug));
  if (!value) throw new NotFound(tags);
  const site = c.get("site");
  if (value.kind === "gone") {
    // Deleted is not never-existed: readers and crawlers learn it is gone for good.
    return c.html(await renderGonePage(site, value.gone.deletedAt), 410, cachingHeaders(FRESHNESS.missing, tags));
  }
  const { article } = value;
  return serveRepresentation(c, {
    etag: await strongEtag([RENDER_VERSION, "article", siteFingerprint(site), article.hash, article.changedAt ?? ""]),
    lastModified: article.changedAt ?? article.updatedAt ?? article.publishedAt,
    contentType: HTML,
    freshness: FRESHNESS.page,
    cacheTags: tags,
    render: async () => ({ body: await renderArticlePage(site, article) }),
  });
}

/** A file whose URL names its content: cached for a year, never revalidated. */
function asset(body: string, hash: string, contentType: string) {
  return function serveAsset(c: Context<AppEnv>) {
    return serveRepresentation(c, {
      etag: `"${hash}"`,
      lastModified: null,
      contentType,
      freshness: FRESHNESS.immutable,
      cacheTags: [CACHE_TAGS.site],
      headers: { "X-Content-Type-Options": "nosniff" },
      render: async () => ({ body }),
    });
  };
}

export function registerPageRoutes(app: Hono<AppEnv>): void {
  // Every HTML answer gets the page headers, the 404 of an unknown path included.
  app.use(async function securePages(c, next) {
    await next();
    if (c.res.headers.get("Content-Type")?.startsWith("text/html")) await pageSecurity(c, async () => {});
  });
  // A 304 has no Content-Type; the page routes still send their headers with it.
  for (const path of ["/", "/articles/:slug", "/tags/:tag", "/feeds"]) app.use(path, pageSecurity);
  app.get("/", listPage);
  app.get("/tags/:tag", listPage);
  app.get("/articles/:slug", articlePage);
  app.get(STYLESHEET_PATH, asset(STYLESHEET, STYLESHEET_HASH, "text/css; charset=utf-8"));
}
