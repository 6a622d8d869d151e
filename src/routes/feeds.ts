// Feed routes: thin. Resolve the scope page, work out validators, render only when needed.
import type { Context, Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env.ts";
import { FRESHNESS, serveRepresentation } from "../http/representation.ts";
import { renderAtom } from "../render/atom.ts";
import { renderJsonFeed } from "../render/json-feed.ts";
import { renderRss } from "../render/rss.ts";
import { FEED_FILES, FEED_TYPES, type FeedFormat, feedUrl, pageUrl } from "../render/urls.ts";
import type { FeedView } from "../render/view.ts";
import { renderScope, resolveScopePage, scopeEtag } from "./scope.ts";

export const RENDERERS: Record<FeedFormat, (view: FeedView) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};

export const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
  "Cross-Origin-Resource-Policy": "cross-origin",
  "X-Content-Type-Options": "nosniff",
};

export const openCors = cors({
  origin: "*",
  allowMethods: ["GET", "HEAD", "OPTIONS"],
  allowHeaders: ["If-None-Match", "If-Modified-Since"],
  exposeHeaders: ["ETag", "Last-Modified", "Link"],
  maxAge: 86400,
});

function linkHeader(origin: string, tag: string | null, format: FeedFormat, page: number, hub: string | null): string {
  const links = [`<${feedUrl(origin, tag, format, page)}>; rel="self"; type="${FEED_TYPES[format]}"`];
  links.push(`<${pageUrl(origin, tag, page)}>; rel="alternate"; type="text/html"`);
  for (const other of Object.keys(FEED_FILES) as FeedFormat[]) {
    if (other !== format)
      links.push(`<${feedUrl(origin, tag, other, page)}>; rel="alternate"; type="${FEED_TYPES[other]}"`);
  }
  if (hub) links.push(`<${hub}>; rel="hub"`);
  return links.join(", ");
}

function serveFeed(format: FeedFormat) {
  return async function feedRoute(c: Context<AppEnv>) {
    const site = c.get("site");
    const page = await resolveScopePage(c, c.req.param("tag"));
    return serveRepresentation(c, {
      etag: await scopeEtag(c, format, page),
      lastModified: page.lastModified,
      contentType: `${FEED_TYPES[format]}; charset=utf-8`,
      freshness: FRESHNESS.feed,
      cacheTags: page.cacheTags,
      headers: { ...CORS_HEADERS, Link: linkHeader(site.origin, page.tag?.slug ?? null, format, page.page, site.hub) },
      render: () => renderScope(c, format, page, RENDERERS[format]),
    });
  };
}

export function registerFeedRoutes(app: Hono<AppEnv>): void {
  for (const format of Object.keys(FEED_FILES) as FeedFormat[]) {
    const file = FEED_FILES[format];
    app.use(`/${file}`, openCors);
    app.use(`/tags/:tag/${file}`, openCors);
    app.get(`/${file}`, serveFeed(format));
    app.get(`/tags/:tag/${file}`, serveFeed(format));
  }
}
