// The public JSON API: one stored article, read from KV; with the admin token, from the writer,
// drafts and scheduled articles included.
import type { Context, Hono } from "hono";
import { isSlug } from "../article/model.ts";
import { CACHE_TAGS } from "../cache/tags.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { ProblemError } from "../http/problem.ts";
import { cachingHeaders, FRESHNESS, fromStore, serveRepresentation } from "../http/representation.ts";
import { publicRecord } from "../render/record.ts";
import { readArticle } from "../store/read.ts";
import { newsroomOf } from "../writer/stub.ts";
import { adminOnly, unknownArticle } from "./admin.ts";
import { CORS_HEADERS, openCors } from "./feeds.ts";
import { RENDER_VERSION } from "./scope.ts";

// Workers Cache keys entries by URL alone: an admin's request must never be answered with the
// public copy, so the public one varies on Authorization (absent), and the admin's is never stored.
const PUBLIC_HEADERS = { ...CORS_HEADERS, Vary: "Authorization" };

async function publicGet(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!isSlug(slug)) throw unknownArticle(slug);
  const site = c.get("site");
  const value = await fromStore(() => readArticle(c.env.ARTICLES, slug));
  const missing = {
    ...PUBLIC_HEADERS,
    ...cachingHeaders(FRESHNESS.missing, [CACHE_TAGS.site, CACHE_TAGS.article(slug)]),
  };
  if (value?.kind === "gone") {
    throw new ProblemError(
      { title: "Gone", status: 410, detail: `The article "${slug}" was deleted on ${value.gone.deletedAt}.` },
      missing,
    );
  }
  if (!value) {
    throw new ProblemError({ title: "Not Found", status: 404, detail: `There is no article "${slug}".` }, missing);
  }
  const { article } = value;
  return serveRepresentation(c, {
    etag: await strongEtag([RENDER_VERSION, "api", site.origin, article.hash, article.changedAt ?? ""]),
    lastModified: article.changedAt ?? article.updatedAt ?? article.publishedAt,
    contentType: "application/json; charset=utf-8",
    freshness: FRESHNESS.page,
    cacheTags: [CACHE_TAGS.site, CACHE_TAGS.article(slug)],
    headers: PUBLIC_HEADERS,
    render: async () => ({
      body: `${JSON.stringify({ ...publicRecord(site, article), status: "public" }, null, 2)}\n`,
    }),
  });
}

async function adminGet(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!isSlug(slug)) throw unknownArticle(slug);
  const found = await newsroomOf(c.env).readArticle(slug);
  if (!found) throw unknownArticle(slug);
  const body = { ...publicRecord(c.get("site"), found.article), status: found.status };
  return c.json(body, 200, { "Cache-Control": "private, no-store", Vary: "Authorization" });
}

export function registerApiRoutes(app: Hono<AppEnv>): void {
  const path = "/api/articles/:slug";
  // Reads are public, errors included, so cross-origin readers can see a 404; writes are not.
  app.use(path, (c, next) => (c.req.method === "GET" || c.req.method === "OPTIONS" ? openCors(c, next) : next()));
  app.get(
    path,
    async function publicUnlessAuthenticated(c, next) {
      if (c.req.header("Authorization") === undefined) return publicGet(c);
      await next();
    },
    adminOnly,
    adminGet,
  );
}
