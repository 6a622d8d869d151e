// What helps readers and crawlers find everything: /feeds, /feeds.opml, the sitemap and robots.txt.
// Each costs one or two KV reads, however large the site.
import type { Context, Hono } from "hono";
import { latestDate } from "../article/model.ts";
import { CACHE_TAGS } from "../cache/tags.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { FRESHNESS, fromStore, serveRepresentation } from "../http/representation.ts";
import {
  type FeedListing,
  OPML_TYPE,
  renderOpml,
  renderRobots,
  renderSitemap,
  renderSitemapIndex,
} from "../render/discovery.ts";
import { renderFeedsPage } from "../render/feeds-page.tsx";
import { siteFingerprint } from "../site.ts";
import { ALL } from "../store/keys.ts";
import { readScope, readSitemapIndex, readSitemapPart, readTags } from "../store/read.ts";
import { NotFound, RENDER_VERSION } from "./scope.ts";

const XML = "application/xml; charset=utf-8";

async function listings(c: Context<AppEnv>): Promise<FeedListing[]> {
  const { tags } = await fromStore(() => readTags(c.env.ARTICLES));
  return tags.map(([slug, name]) => ({ slug, name }));
}

function tagListRoute(kind: "feeds" | "opml") {
  return async function serveTagList(c: Context<AppEnv>) {
    const site = c.get("site");
    const tags = await listings(c);
    return serveRepresentation(c, {
      etag: await strongEtag([RENDER_VERSION, kind, siteFingerprint(site), ...tags.map((t) => `${t.slug}:${t.name}`)]),
      lastModified: null,
      contentType: kind === "feeds" ? "text/html; charset=utf-8" : OPML_TYPE,
      freshness: FRESHNESS.page,
      cacheTags: [CACHE_TAGS.site, CACHE_TAGS.tags],
      headers: kind === "opml" ? { "Access-Control-Allow-Origin": "*" } : {},
      render: async () => ({ body: kind === "feeds" ? await renderFeedsPage(site, tags) : renderOpml(site, tags) }),
    });
  };
}

async function serveXml(c: Context<AppEnv>, stamp: string[], lastModified: string | null, body: () => string) {
  return serveRepresentation(c, {
    etag: await strongEtag([RENDER_VERSION, "sitemap", c.get("site").origin, ...stamp]),
    lastModified,
    contentType: XML,
    freshness: FRESHNESS.page,
    cacheTags: [CACHE_TAGS.site, CACHE_TAGS.sitemap],
    render: async () => ({ body: body() }),
  });
}

const newest = (dates: string[]) => (dates.length === 0 ? null : latestDate(dates));

/** One sitemap while the site fits in one part (SITEMAP_PART_SIZE URLs), else the index of its parts. */
async function sitemapRoute(c: Context<AppEnv>) {
  const site = c.get("site");
  const kv = c.env.ARTICLES;
  const index = await fromStore(() => readSitemapIndex(kv));
  if (index && index.parts.length > 1) {
    return serveXml(c, ["index", JSON.stringify(index.parts)], newest(index.parts.map((p) => p[1])), () =>
      renderSitemapIndex(site, index.parts),
    );
  }
  const part = await fromStore(() => readSitemapPart(kv, 1));
  // A store the writer has not indexed yet still has a home page.
  const home = part ? null : await fromStore(() => readScope(kv, ALL));
  const urls = part?.urls ?? [["/", home?.changed ?? "1970-01-01T00:00:00Z"] as [string, string]];
  return serveXml(c, ["1", JSON.stringify(urls)], newest(urls.map((u) => u[1])), () => renderSitemap(site, urls));
}

async function sitemapPartRoute(c: Context<AppEnv>) {
  const param = (c.req.param("part") ?? "").replace(/\.xml$/, "");
  if (!/^[1-9]\d{0,5}$/.test(param)) throw new NotFound();
  const part = await fromStore(() => readSitemapPart(c.env.ARTICLES, Number(param)));
  if (!part) throw new NotFound([CACHE_TAGS.site, CACHE_TAGS.sitemap]);
  return serveXml(c, [param, JSON.stringify(part.urls)], newest(part.urls.map((u) => u[1])), () =>
    renderSitemap(c.get("site"), part.urls),
  );
}

async function robotsRoute(c: Context<AppEnv>) {
  const site = c.get("site");
  return serveRepresentation(c, {
    etag: await strongEtag([RENDER_VERSION, "robots", site.origin]),
    lastModified: null,
    contentType: "text/plain; charset=utf-8",
    freshness: FRESHNESS.page,
    cacheTags: [CACHE_TAGS.site],
    render: async () => ({ body: renderRobots(site) }),
  });
}

export function registerDiscoveryRoutes(app: Hono<AppEnv>): void {
  app.get("/feeds", tagListRoute("feeds"));
  app.get("/feeds.opml", tagListRoute("opml"));
  app.get("/sitemap.xml", sitemapRoute);
  app.get("/sitemaps/:part", sitemapPartRoute);
  app.get("/robots.txt", robotsRoute);
}
