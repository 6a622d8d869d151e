// The JSON API: public reads, admin writes behind a bearer token and a body limit.
import type { Context, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { timingSafeEqual } from "hono/utils/buffer";
import { type Article, SLUG_MAX, SLUG_PATTERN } from "../article/model.ts";
import { articleFromInput } from "../article/prepare.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { ProblemError, problemResponse } from "../http/problem.ts";
import { fromStore, serveRepresentation } from "../http/representation.ts";
import { absolutizeHtml, articleUrl, FEED_FILES, type FeedFormat, feedUrl } from "../render/urls.ts";
import type { Site } from "../site.ts";
import { deleteArticle, getArticle, putArticle, type Scope } from "../store/kv.ts";
import { pingHub } from "../websub.ts";
import { CORS_HEADERS, openCors } from "./feeds.ts";
import { RENDER_VERSION } from "./scope.ts";

export const MAX_BODY_BYTES = 1024 * 1024;
/** A 1 MiB body of unknown fields must not turn into a far larger error document. */
const MAX_LISTED_ISSUES = 100;

const validSlug = (slug: string) => SLUG_PATTERN.test(slug) && slug.length <= SLUG_MAX;

function unknownArticle(slug: string): ProblemError {
  return new ProblemError({ title: "Not Found", status: 404, detail: `There is no article "${slug}".` });
}

const NO_CREDENTIALS = "Send Authorization: Bearer <ADMIN_TOKEN>.";

// RFC 6750 §3: a request without credentials gets a bare challenge, a wrong token says so.
const unauthorized = (detail: string, challenge: string) => () =>
  problemResponse({ title: "Unauthorized", status: 401, detail }, { "WWW-Authenticate": challenge });

const adminEnabled = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  if (!c.env.ADMIN_TOKEN) {
    throw new ProblemError({
      title: "Service Unavailable",
      status: 503,
      detail: "The admin API is disabled: no ADMIN_TOKEN secret is set.",
    });
  }
  await next();
};

const adminAuth = bearerAuth<AppEnv>({
  realm: "admin",
  verifyToken: (token, c) => timingSafeEqual(token, c.env.ADMIN_TOKEN),
  noAuthenticationHeader: { message: unauthorized(NO_CREDENTIALS, 'Bearer realm="admin"') },
  invalidToken: {
    message: unauthorized("The bearer token is not the admin token.", 'Bearer realm="admin", error="invalid_token"'),
  },
  invalidAuthenticationHeader: {
    message: () =>
      problemResponse(
        { title: "Bad Request", status: 400, detail: "The Authorization header is not `Bearer <token>`." },
        { "WWW-Authenticate": 'Bearer realm="admin", error="invalid_request"' },
      ),
  },
});

/**
 * RFC 6750 §3.1: credentials in another scheme (Basic…) are no bearer credentials, so 401 with a
 * bare challenge; hono's bearerAuth would call them a malformed request (400).
 */
const otherSchemeIsNoToken = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  const header = c.req.header("Authorization");
  if (header !== undefined && !/^bearer(?:\s|$)/i.test(header)) {
    return unauthorized(NO_CREDENTIALS, 'Bearer realm="admin"')();
  }
  await next();
};

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () =>
    problemResponse({
      title: "Content Too Large",
      status: 413,
      detail: `The body must be at most ${MAX_BODY_BYTES} bytes.`,
    }),
});

/** The stored article as readers of the API see it: links absolute. */
function publicRecord(site: Site, article: Article) {
  return { ...article, html: absolutizeHtml(article.html, site.origin), url: articleUrl(site.origin, article.slug) };
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ProblemError({
      title: "Unsupported Media Type",
      status: 415,
      detail: "Send the article as application/json.",
    });
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProblemError({
      title: "Bad Request",
      status: 400,
      detail: `The body is not valid JSON: ${(error as Error).message}`,
    });
  }
}

/** Feed URLs whose content changed with a write, for the WebSub hub. */
export function changedFeedUrls(site: Site, scopes: Scope[]): string[] {
  return scopes.flatMap((scope) =>
    (Object.keys(FEED_FILES) as FeedFormat[]).map((format) =>
      feedUrl(site.origin, scope.startsWith("tag:") ? scope.slice(4) : null, format),
    ),
  );
}

function announce(c: Context<AppEnv>, scopes: Scope[]): void {
  const site = c.get("site");
  if (site.hub) c.executionCtx.waitUntil(pingHub(site.hub, changedFeedUrls(site, scopes)));
}

async function getRoute(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!validSlug(slug)) throw unknownArticle(slug);
  const article = await fromStore(() => getArticle(c.env.ARTICLES, slug));
  if (!article) throw unknownArticle(slug);
  const site = c.get("site");
  return serveRepresentation(c, {
    etag: await strongEtag([RENDER_VERSION, "api", site.origin, article.hash]),
    lastModified: article.updatedAt ?? article.publishedAt,
    contentType: "application/json; charset=utf-8",
    cacheControl: "public, max-age=60",
    headers: CORS_HEADERS,
    compress: true,
    render: async () => ({ body: `${JSON.stringify(publicRecord(site, article), null, 2)}\n` }),
  });
}

async function putRoute(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!validSlug(slug)) {
    throw new ProblemError({
      title: "Unprocessable Content",
      status: 422,
      detail: "The slug in the URL is not valid.",
      errors: [{ path: "slug", message: `must match ${SLUG_PATTERN.source} and be at most ${SLUG_MAX} characters` }],
    });
  }
  const body = await readJson(c);
  const kv = c.env.ARTICLES;
  const existing = await fromStore(() => getArticle(kv, slug));
  const parsed = await articleFromInput(slug, body, existing);
  if (!parsed.ok) {
    const count = parsed.issues.length;
    const listed = count > MAX_LISTED_ISSUES ? ` The first ${MAX_LISTED_ISSUES} are listed.` : "";
    throw new ProblemError({
      title: "Unprocessable Content",
      status: 422,
      detail: `The article has ${count} invalid field${count === 1 ? "" : "s"}.${listed}`,
      errors: parsed.issues.slice(0, MAX_LISTED_ISSUES),
    });
  }
  const result = await fromStore(() => putArticle(kv, parsed.value, undefined, c.get("site").pageSize));
  announce(c, result.scopes);
  const site = c.get("site");
  return c.json(publicRecord(site, parsed.value), result.created ? 201 : 200, {
    Location: articleUrl(site.origin, slug),
    "Cache-Control": "no-store",
  });
}

async function deleteRoute(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!validSlug(slug)) throw unknownArticle(slug);
  const result = await fromStore(() => deleteArticle(c.env.ARTICLES, slug, undefined, c.get("site").pageSize));
  if (!result) throw unknownArticle(slug);
  announce(c, result.scopes);
  return c.body(null, 204);
}

export function registerApiRoutes(app: Hono<AppEnv>): void {
  const path = "/api/articles/:slug";
  // Reads are public, errors included, so cross-origin readers can see a 404; writes are not.
  app.use(path, (c, next) => (c.req.method === "PUT" || c.req.method === "DELETE" ? next() : openCors(c, next)));
  app.get(path, getRoute);
  app.put(path, adminEnabled, otherSchemeIsNoToken, adminAuth, limitBody, putRoute);
  app.delete(path, adminEnabled, otherSchemeIsNoToken, adminAuth, deleteRoute);
}
