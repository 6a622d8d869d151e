// Composition root: middleware order, routes, errors, and the scheduled index rebuild.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { AppEnv } from "./env.ts";
import { ProblemError, problemResponse, StoreUnavailableError } from "./http/problem.ts";
import { serveLastGood } from "./http/representation.ts";
import { useIsolateMemory } from "./lru.ts";
import { renderNotFoundPage } from "./render/html.tsx";
import { registerApiRoutes } from "./routes/api.ts";
import { registerFeedRoutes } from "./routes/feeds.ts";
import { PAGE_CACHE_CONTROL, registerPageRoutes } from "./routes/pages.ts";
import { NotFound } from "./routes/scope.ts";
import { ConfigError, siteConfig, siteFor } from "./site.ts";
import { rebuildIndexes } from "./store/kv.ts";

const RETRY_AFTER_SECONDS = "30";

const app = new Hono<AppEnv>();

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
registerApiRoutes(app);

const isApi = (path: string) => path.startsWith("/api/");
const isFeed = (path: string) => /\/(?:rss\.xml|atom\.xml|feed\.json)$/.test(path);

async function notFoundResponse(c: Parameters<Parameters<typeof app.notFound>[0]>[0]): Promise<Response> {
  if (isApi(c.req.path) || isFeed(c.req.path)) {
    return problemResponse({ title: "Not Found", status: 404, detail: `Nothing is published at ${c.req.path}.` });
  }
  const html = await renderNotFoundPage(c.get("site"));
  return new Response(html, {
    status: 404,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": PAGE_CACHE_CONTROL },
  });
}

app.notFound(notFoundResponse);

app.onError(async function answerError(error, c) {
  // HTML answers get the page security headers from the middleware in routes/pages.ts.
  if (error instanceof NotFound) return notFoundResponse(c);
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

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, _ctx) {
    const report = await rebuildIndexes(env.ARTICLES, { pageSize: siteConfig(env).pageSize });
    console.log("index rebuild", report);
  },
} satisfies ExportedHandler<Env>;

export { app };
