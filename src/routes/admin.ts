// The admin API: every change goes to the one writer, behind a bearer token and a body limit.
import type { Context, Hono, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { every } from "hono/combine";
import { timingSafeEqual } from "hono/utils/buffer";
import { type FieldIssue, isSlug, SLUG_MAX, SLUG_PATTERN } from "../article/model.ts";
import type { AppEnv } from "../env.ts";
import { ProblemError, problemResponse } from "../http/problem.ts";
import { publicRecord } from "../render/record.ts";
import { articleUrl } from "../render/urls.ts";
import type { Site } from "../site.ts";
import type { VerifyReport } from "../writer/adopt.ts";
import type { Adopting, BatchOutcome, SiteAddress } from "../writer/newsroom.ts";
import { newsroomOf } from "../writer/stub.ts";
import type { PutOutcome } from "../writer/writes.ts";

export const MAX_BODY_BYTES = 1024 * 1024;
/** A batch carries many articles: up to this many bytes and BATCH_MAX_ARTICLES entries. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
export const BATCH_MAX_ARTICLES = 100;
/** A 1 MiB body of unknown fields must not turn into a far larger error document. */
const MAX_LISTED_ISSUES = 100;
const PRIVATE = { "Cache-Control": "private, no-store" };

const addressOf = (site: Site): SiteAddress => ({ origin: site.origin, hub: site.hub });

export function unknownArticle(slug: string): ProblemError {
  return new ProblemError({ title: "Not Found", status: 404, detail: `There is no article "${slug}".` });
}

const NO_CREDENTIALS = "Send Authorization: Bearer <ADMIN_TOKEN>.";

// RFC 6750 §3: a request without credentials gets a bare challenge, a wrong token says so.
const unauthorized = (detail: string, challenge: string) => () =>
  problemResponse({ title: "Unauthorized", status: 401, detail }, { "WWW-Authenticate": challenge });

const adminEnabled: MiddlewareHandler<AppEnv> = async function adminEnabled(c, next) {
  if (!c.env.ADMIN_TOKEN) {
    throw new ProblemError({
      title: "Service Unavailable",
      status: 503,
      detail: "The admin API is disabled: no ADMIN_TOKEN secret is set.",
    });
  }
  await next();
};

const bearer = bearerAuth<AppEnv>({
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
const otherSchemeIsNoToken: MiddlewareHandler<AppEnv> = async function otherSchemeIsNoToken(c, next) {
  const header = c.req.header("Authorization");
  if (header !== undefined && !/^bearer(?:\s|$)/i.test(header)) {
    return unauthorized(NO_CREDENTIALS, 'Bearer realm="admin"')();
  }
  await next();
};

/** Admin only: the token checked, in order, before anything else is read. */
export const adminOnly: MiddlewareHandler<AppEnv> = every(adminEnabled, otherSchemeIsNoToken, bearer);

const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () =>
      problemResponse({
        title: "Content Too Large",
        status: 413,
        detail: `The body must be at most ${maxSize} bytes.`,
      }),
  });

async function readJson(c: Context<AppEnv>, what: string): Promise<unknown> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ProblemError({
      title: "Unsupported Media Type",
      status: 415,
      detail: `Send ${what} as application/json.`,
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

function invalid(issues: FieldIssue[], what: string): ProblemError {
  const count = issues.length;
  const listed = count > MAX_LISTED_ISSUES ? ` The first ${MAX_LISTED_ISSUES} are listed.` : "";
  return new ProblemError({
    title: "Unprocessable Content",
    status: 422,
    detail: `${what} has ${count} invalid field${count === 1 ? "" : "s"}.${listed}`,
    errors: issues.slice(0, MAX_LISTED_ISSUES),
  });
}

/** The writer is still indexing a store an older version wrote: nothing was written. */
function checkAdopting<T extends object>(outcome: T | Adopting): T {
  if ("adopting" in outcome && outcome.adopting === true) {
    throw new ProblemError(
      {
        title: "Service Unavailable",
        status: 503,
        detail: "The writer is indexing the articles an earlier version stored; nothing was written. Retry shortly.",
      },
      { "Retry-After": "5" },
    );
  }
  return outcome as T;
}

function slugParam(c: Context<AppEnv>): string {
  const slug = c.req.param("slug") ?? "";
  if (!isSlug(slug)) {
    throw new ProblemError({
      title: "Unprocessable Content",
      status: 422,
      detail: "The slug in the URL is not valid.",
      errors: [{ path: "slug", message: `must match ${SLUG_PATTERN.source} and be at most ${SLUG_MAX} characters` }],
    });
  }
  return slug;
}

async function putRoute(c: Context<AppEnv>) {
  const slug = slugParam(c);
  const body = await readJson(c, "the article");
  const site = c.get("site");
  // The writer validates the article: one place for the schema, and its CPU, not the Worker's.
  const outcome = checkAdopting<PutOutcome>(await newsroomOf(c.env).putArticle(slug, body, addressOf(site)));
  if (!outcome.ok) throw invalid(outcome.issues, "The article");
  const answer = { ...publicRecord(site, outcome.article), status: outcome.status };
  return c.json(answer, outcome.action === "created" ? 201 : 200, {
    Location: articleUrl(site.origin, slug),
    ...PRIVATE,
  });
}

async function deleteRoute(c: Context<AppEnv>) {
  const slug = c.req.param("slug") ?? "";
  if (!isSlug(slug)) throw unknownArticle(slug);
  const outcome = checkAdopting<{ ok: true; deleted: boolean }>(
    await newsroomOf(c.env).deleteArticle(slug, addressOf(c.get("site"))),
  );
  if (!outcome.deleted) throw unknownArticle(slug);
  return c.body(null, 204, PRIVATE);
}

/** Every stored article's input hash and status, for the publish command to skip what is unchanged. */
async function listRoute(c: Context<AppEnv>) {
  return c.json({ articles: await newsroomOf(c.env).listSources() }, 200, PRIVATE);
}

interface BatchBody {
  articles: Record<string, unknown>;
  delete: string[];
}

/** The batch's envelope; each article is validated by the writer, which names it in every error. */
function parseBatch(body: unknown): { puts: [string, unknown][]; deletions: string[] } {
  const issues: FieldIssue[] = [];
  const value = body as Partial<BatchBody> | null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid([{ path: "", message: "must be a JSON object with `articles` and/or `delete`" }], "The batch");
  }
  for (const key of Object.keys(value)) {
    if (key !== "articles" && key !== "delete") issues.push({ path: key, message: "is not a known field" });
  }
  const articles = value.articles ?? {};
  const deletions = value.delete ?? [];
  if (typeof articles !== "object" || articles === null || Array.isArray(articles)) {
    issues.push({ path: "articles", message: "must be an object of slug → article" });
  }
  if (!Array.isArray(deletions) || !deletions.every((s) => typeof s === "string")) {
    issues.push({ path: "delete", message: "must be an array of slugs" });
  }
  if (issues.length > 0) throw invalid(issues, "The batch");
  const entries = Object.entries(articles as Record<string, unknown>);
  if (entries.length + deletions.length > BATCH_MAX_ARTICLES) {
    issues.push({ path: "", message: `must name at most ${BATCH_MAX_ARTICLES} articles` });
  }
  for (const [slug] of entries) {
    if (!isSlug(slug)) issues.push({ path: `articles.${slug}`, message: "is not a valid slug" });
  }
  deletions.forEach((slug, i) => {
    if (!isSlug(slug)) issues.push({ path: `delete.${i}`, message: "is not a valid slug" });
    else if (slug in (articles as object)) issues.push({ path: `delete.${i}`, message: "is also in articles" });
  });
  if (issues.length > 0) throw invalid(issues, "The batch");
  return { puts: entries, deletions };
}

/** Creates, replaces and deletes up to 100 articles in one transaction of the writer. */
async function batchRoute(c: Context<AppEnv>) {
  const { puts, deletions } = parseBatch(await readJson(c, "the batch"));
  const outcome = checkAdopting<BatchOutcome>(
    await newsroomOf(c.env).applyBatch(puts, deletions, addressOf(c.get("site"))),
  );
  if (!outcome.ok) {
    const issues = outcome.issues.map((i) => ({
      path: `articles.${i.slug}${i.path ? `.${i.path}` : ""}`,
      message: i.message,
    }));
    throw invalid(issues, "The batch");
  }
  return c.json({ results: outcome.results }, 200, PRIVATE);
}

/** Compares KV with the writer's catalog and rewrites what differs (a rebuild that writes no more than needed). */
async function verifyRoute(c: Context<AppEnv>) {
  const report = checkAdopting<VerifyReport>(await newsroomOf(c.env).verify());
  return c.json(report, 202, PRIVATE);
}

/** What the writer has still to do: changes not yet in KV, purges and pings waiting. */
async function writerRoute(c: Context<AppEnv>) {
  return c.json(await newsroomOf(c.env).state(), 200, PRIVATE);
}

export function registerAdminRoutes(app: Hono<AppEnv>): void {
  const article = "/api/articles/:slug";
  app.put(article, adminOnly, limitBody(MAX_BODY_BYTES), putRoute);
  app.delete(article, adminOnly, deleteRoute);
  app.get("/api/articles", adminOnly, listRoute);
  app.post("/api/batch", adminOnly, limitBody(MAX_BATCH_BYTES), batchRoute);
  app.post("/api/verify", adminOnly, verifyRoute);
  app.get("/api/writer", adminOnly, writerRoute);
}
