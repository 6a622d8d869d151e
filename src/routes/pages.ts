// HTML routes: the site, one article, a tag.
import type { Context, Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { SLUG_MAX, SLUG_PATTERN } from "../article/model.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { fromStore, serveRepresentation } from "../http/representation.ts";
import { renderArticlePage, renderListPage } from "../render/html.tsx";
import { getArticle } from "../store/kv.ts";
import { NotFound, RENDER_VERSION, renderScope, resolveScopePage, scopeEtag } from "./scope.ts";

export const PAGE_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400";

export const pageSecurity = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["https:", "http:"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
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
    cacheControl: PAGE_CACHE_CONTROL,
    compress: false,
    render: () => renderScope(c, "html", page, renderListPage),
  });
}

async function articlePage(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!SLUG_PATTERN.test(slug) || slug.length > SLUG_MAX) throw new NotFound();
  const article = await fromStore(() => getArticle(c.env.ARTICLES, slug));
  if (!article) throw new NotFound();
  const site = c.get("site");
  return serveRepresentation(c, {
    etag: await strongEtag([RENDER_VERSION, "article", JSON.stringify(site), article.hash]),
    lastModified: article.updatedAt ?? article.publishedAt,
    contentType: HTML,
    cacheControl: PAGE_CACHE_CONTROL,
    compress: false,
    render: async () => ({ body: await renderArticlePage(site, article) }),
  });
}

export function registerPageRoutes(app: Hono<AppEnv>): void {
  for (const path of ["/", "/articles/:slug", "/tags/:tag"]) app.use(path, pageSecurity);
  app.get("/", listPage);
  app.get("/tags/:tag", listPage);
  app.get("/articles/:slug", articlePage);
}
