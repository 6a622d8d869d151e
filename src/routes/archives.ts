// RFC 5005 §4 archived feeds, in every format: /archives/<n>/rss.xml and /tags/<tag>/archives/<n>/…
// A full archive never changes (a year, immutable); the open one, after page 1, is polled like a feed.
import type { Context, Hono } from "hono";
import { CACHE_TAGS } from "../cache/tags.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { FRESHNESS, fromStore, serveRepresentation } from "../http/representation.ts";
import { FEED_FILES, FEED_TYPES, type FeedFormat } from "../render/urls.ts";
import { buildArchiveView } from "../render/view.ts";
import { siteFingerprint } from "../site.ts";
import { readArchive } from "../store/read.ts";
import { CORS_HEADERS, openCors, RENDERERS } from "./feeds.ts";
import { NotFound, RENDER_VERSION, resolveScope } from "./scope.ts";

function serveArchive(format: FeedFormat) {
  return async function archiveRoute(c: Context<AppEnv>) {
    const param = c.req.param("archive") ?? "";
    if (!/^[1-9]\d{0,6}$/.test(param)) throw new NotFound();
    const number = Number(param);
    const site = c.get("site");
    const { scope, head, tag } = await resolveScope(c, c.req.param("tag"));
    const doc = await fromStore(() => readArchive(c.env.ARTICLES, scope, head, number));
    if (!doc) throw new NotFound([CACHE_TAGS.site, CACHE_TAGS.scope(scope)]);
    const view = buildArchiveView(site, tag, head, { number, ...doc });
    const etag = await strongEtag([
      RENDER_VERSION,
      "archive",
      format,
      siteFingerprint(site),
      String(number),
      tag?.name ?? "",
      doc.stamp,
    ]);
    return serveRepresentation(c, {
      etag,
      lastModified: doc.changed,
      contentType: `${FEED_TYPES[format]}; charset=utf-8`,
      freshness: doc.full ? FRESHNESS.immutable : FRESHNESS.feed,
      cacheTags: [CACHE_TAGS.site, doc.full ? CACHE_TAGS.archive(scope, number) : CACHE_TAGS.scope(scope)],
      headers: CORS_HEADERS,
      async render() {
        const body = RENDERERS[format](view);
        if (doc.consistent) return { body };
        // KV served a mix of versions: a validator of its own, and nothing remembered.
        return { body, etag: await strongEtag([etag, ...doc.entries.map((e) => `${e.slug}:${e.hash}`)]) };
      },
    });
  };
}

export function registerArchiveRoutes(app: Hono<AppEnv>): void {
  for (const format of Object.keys(FEED_FILES) as FeedFormat[]) {
    for (const path of [
      `/archives/:archive/${FEED_FILES[format]}`,
      `/tags/:tag/archives/:archive/${FEED_FILES[format]}`,
    ]) {
      app.use(path, openCors);
      app.get(path, serveArchive(format));
    }
  }
}
