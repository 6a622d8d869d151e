// Composition root: middleware order, routes, errors; the entrypoint the runtime and the writer call.
import { WorkerEntrypoint } from "cloudflare:workers";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { edgePurger, type PurgeOutcome } from "./cache/purger.ts";
import { CACHE_TAGS } from "./cache/tags.ts";
import type { AppEnv } from "./env.ts";
import { edgeCaching } from "./http/caching.ts";
import { ProblemError, problemResponse, StoreUnavailableError } from "./http/problem.ts";
import { cachingHeaders, FRESHNESS, serveLastGood } from "./http/representation.ts";
import { useIsolateMemory } from "./lru.ts";
import { renderNotFoundPage } from "./render/html.tsx";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerApiRoutes } from "./routes/api.ts";
import { registerArchiveRoutes } from "./routes/archives.ts";
import { registerDiscoveryRoutes } from "./routes/discovery.ts";
import { registerFeedRoutes } from "./routes/feeds.ts";
import { registerPageRoutes } from "./routes/pages.ts";
import { NotFound } from "./routes/scope.ts";
import { ConfigError, siteConfig, siteFor } from "./site.ts";
import { newsroomOf } from "./writer/stub.ts";

export { Newsroom } from "./writer/newsroom.ts";

const RETRY_AFTER_SECONDS = "30";

const app = new Hono<AppEnv>();

app.use(edgeCaching);

app.use(async function resolveSite(c, next) {
  const config = siteConfig(c.env);
  useIsolateMemory(config.isolateMemory);
  c.set("site", siteFor(config, c.req.url));
  await next();
});

app.use(
  methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) =>
      problemResponse(
        { title: "Method Not Allowed", status: 405, detail: `${c.req.method} is not allowed here.` },
        { Allow: methods.join(", ") },
      ),
  }),
);

registerPageRoutes(app);
registerFeedRoutes(app);
registerArchiveRoutes(app);
registerDiscoveryRoutes(app);
registerApiRoutes(app);
registerAdminRoutes(app);

const isApi = (path: string) => path.startsWith("/api/");
const isFeed = (path: string) => /\/(?:rss\.xml|atom\.xml|feed\.json)$/.test(path);

async function notFoundResponse(
  c: Parameters<Parameters<typeof app.notFound>[0]>[0],
  cacheTags: string[] = [CACHE_TAGS.site],
): Promise<Response> {
  const caching = cachingHeaders(FRESHNESS.missing, cacheTags);
  if (isApi(c.req.path) || isFeed(c.req.path)) {
    return problemResponse(
      { title: "Not Found", status: 404, detail: `Nothing is published at ${c.req.path}.` },
      isApi(c.req.path) ? {} : caching,
    );
  }
  const html = await renderNotFoundPage(c.get("site"));
  return new Response(html, { status: 404, headers: { "Content-Type": "text/html; charset=utf-8", ...caching } });
}

app.notFound((c) => notFoundResponse(c));

app.onError(async function answerError(error, c) {
  // HTML answers get the page security headers from the middleware in routes/pages.ts.
  if (error instanceof NotFound) return notFoundResponse(c, error.cacheTags);
  if (error instanceof StoreUnavailableError) {
    console.error("store unavailable", error.cause);
    const stale = await serveLastGood(c);
    if (stale) return stale;
    return problemResponse(
      { title: "Service Unavailable", status: 503, detail: "The article store is not answering; try again shortly." },
      { "Retry-After": RETRY_AFTER_SECONDS },
    );
  }
  if (error instanceof ProblemError || error instanceof HTTPException) return error.getResponse();
  if (error instanceof ConfigError) {
    console.error(error.message);
    return problemResponse({ title: "Misconfigured", status: 500, detail: error.message });
  }
  console.error("unhandled error", error);
  return problemResponse({ title: "Internal Server Error", status: 500, detail: "Something went wrong on our side." });
});

export default class FeedPublisher extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }

  /** The daily cron: the writer adopts an old store and reschedules anything left waiting. */
  override async scheduled(): Promise<void> {
    await newsroomOf(this.env).tick();
  }

  /** Called by the writer after a change: purges are scoped to this entrypoint, whose cache it is. */
  async purgeCache(tags: string[]): Promise<PurgeOutcome> {
    return edgePurger(this.ctx).purge(tags);
  }
}

export { app };
