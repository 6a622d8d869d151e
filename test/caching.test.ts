// Workers Cache in front of the Worker: what each route lets clients and the edge keep, the tags
// it names itself with, and exactly which tags each kind of change purges (the writer's Purger
// replaced by a recorder; locally there is no ctx.cache to purge).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { Purger } from "../src/cache/purger.ts";
import type { Newsroom } from "../src/writer/newsroom.ts";
import {
  articleInput,
  request,
  requestWithEnv,
  resetStore,
  SEED_SLUG,
  settle,
  storeArticle,
  storeArticles,
  storeSeed,
  writer,
} from "./helpers.ts";

const AUTH = { Authorization: "Bearer test-admin-token" };
const JSON_TYPE = { "Content-Type": "application/json" };
const FEED = "public, max-age=300, stale-while-revalidate=600, stale-if-error=86400";
const PAGE = "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400";
const EDGE = "max-age=3600, stale-while-revalidate=300, stale-if-error=86400";

/** Replaces the writer's purger with one that records every call. */
async function recordPurges(): Promise<string[][]> {
  const calls: string[][] = [];
  await runInDurableObject(writer(), (instance: Newsroom) => {
    const recorder: Purger = {
      async purge(tags) {
        calls.push([...tags].sort());
        return { success: true, errors: [] };
      },
    };
    instance.purger = recorder;
  });
  return calls;
}

function caching(response: Response) {
  return {
    client: response.headers.get("Cache-Control"),
    edge: response.headers.get("Cloudflare-CDN-Cache-Control"),
    tags: response.headers.get("Cache-Tag"),
  };
}

beforeEach(async () => {
  await resetStore();
  await storeSeed();
});

describe("what each route lets caches keep", () => {
  const routes: [string, string, string][] = [
    ["/rss.xml", FEED, "site,s:all"],
    ["/atom.xml?page=1", "", ""],
    ["/tags/russia/feed.json", FEED, "site,s:tag%3Arussia"],
    ["/", PAGE, "site,s:all"],
    ["/tags/russia", PAGE, "site,s:tag%3Arussia"],
    [`/articles/${SEED_SLUG}`, PAGE, `site,a:${SEED_SLUG}`],
    [`/api/articles/${SEED_SLUG}`, PAGE, `site,a:${SEED_SLUG}`],
    ["/feeds", PAGE, "site,tags"],
    ["/feeds.opml", PAGE, "site,tags"],
    ["/sitemap.xml", PAGE, "site,sitemap"],
    ["/robots.txt", PAGE, "site"],
  ];
  for (const [path, client, tags] of routes) {
    if (!client) continue;
    it(`${path}: client and edge freshness, and the tags it depends on`, async () => {
      const response = await request(path);
      expect(response.status).toBe(200);
      expect(caching(response)).toEqual({ client, edge: EDGE, tags });
      expect(response.headers.get("Set-Cookie")).toBeNull();
    });
  }

  it("keeps the same headers on a 304, so revalidation refreshes the edge's copy completely", async () => {
    const first = await request("/atom.xml");
    const again = await request("/atom.xml", { headers: { "If-None-Match": first.headers.get("ETag") as string } });
    expect(again.status).toBe(304);
    expect(caching(again)).toEqual(caching(first));
    expect(again.headers.get("Last-Modified")).toBe(first.headers.get("Last-Modified"));
  });

  it("caches a missing or deleted article briefly, tagged so its publication purges it", async () => {
    const missing = await request("/articles/not-yet");
    expect(missing.status).toBe(404);
    expect(caching(missing)).toEqual({ client: "public, max-age=60", edge: "max-age=300", tags: "site,a:not-yet" });
    await request(`/api/articles/${SEED_SLUG}`, { method: "DELETE", headers: AUTH });
    const gone = await request(`/articles/${SEED_SLUG}`);
    expect(gone.status).toBe(410);
    expect(caching(gone).tags).toBe(`site,a:${SEED_SLUG}`);
    const goneApi = await request(`/api/articles/${SEED_SLUG}`);
    expect(goneApi.status).toBe(410);
    expect(caching(goneApi).tags).toBe(`site,a:${SEED_SLUG}`);
  });

  it("never lets the edge keep anything authenticated, and varies the public API on Authorization", async () => {
    const open = await request(`/api/articles/${SEED_SLUG}`);
    expect(open.headers.get("Vary")).toContain("Authorization");
    const admin = await request(`/api/articles/${SEED_SLUG}`, { headers: AUTH });
    expect(admin.status).toBe(200);
    expect(caching(admin)).toEqual({ client: "private, no-store", edge: "no-store", tags: null });
    const wrong = await request(`/api/articles/${SEED_SLUG}`, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(caching(wrong)).toEqual({ client: "private, no-store", edge: "no-store", tags: null });
    const put = await request(`/api/articles/${SEED_SLUG}`, {
      method: "PUT",
      headers: { ...AUTH, ...JSON_TYPE },
      body: JSON.stringify(articleInput()),
    });
    expect(caching(put)).toEqual({ client: "private, no-store", edge: "no-store", tags: null });
  });

  it("stores nothing at the edge when SITE_URL is empty: its links name the request's host, its key does not", async () => {
    const response = await requestWithEnv({ SITE_URL: "" }, "/rss.xml");
    expect(response.headers.get("Cache-Control")).toBe(FEED);
    expect(response.headers.get("Cloudflare-CDN-Cache-Control")).toBe("no-store");
    expect(response.headers.get("Cache-Tag")).toBeNull();
  });

  it("answers errors with no-store, so an outage is never kept", async () => {
    const problem = await request("/api/articles/Not_A_Slug", { method: "PUT", headers: { ...AUTH, ...JSON_TYPE } });
    expect(problem.status).toBe(422);
    expect(caching(problem).client).toBe("private, no-store");
    const unknownFeed = await request("/tags/nothing/rss.xml");
    expect(unknownFeed.status).toBe(404);
    expect(caching(unknownFeed).tags).toBe("site,s:tag%3Anothing");
  });
});

describe("purges", () => {
  it("a new article purges its page, every scope it joins, the sitemap and the tag list, in one call", async () => {
    const calls = await recordPurges();
    await storeArticle("fresh", articleInput({ tags: ["Kabul"] }));
    expect(calls).toEqual([["a:fresh", "s:all", "s:tag%3Akabul", "sitemap", "tags"]]);
  });

  it("an edit purges the article, its scopes and the sitemap; the tag list is unchanged", async () => {
    const calls = await recordPurges();
    await storeArticle(SEED_SLUG, { ...(await seedInput()), title: "Retitled" });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(
      [
        `a:${SEED_SLUG}`,
        "s:all",
        "s:tag%3Aafghanistan",
        "s:tag%3Aisis-k",
        "s:tag%3Arussia",
        "s:tag%3Aterrorism",
        "sitemap",
      ].sort(),
    );
  });

  it("a deletion purges the article's page (now 410), its scopes, the sitemap and the tag list", async () => {
    const calls = await recordPurges();
    await request(`/api/articles/${SEED_SLUG}`, { method: "DELETE", headers: AUTH });
    expect(calls).toEqual([
      [
        `a:${SEED_SLUG}`,
        "s:all",
        "s:tag%3Aafghanistan",
        "s:tag%3Aisis-k",
        "s:tag%3Arussia",
        "s:tag%3Aterrorism",
        "sitemap",
        "tags",
      ].sort(),
    ]);
  });

  it("a draft purges nothing: no public view changed", async () => {
    const calls = await recordPurges();
    await storeArticle("quiet-draft", articleInput({ draft: true, tags: ["Secret"] }));
    expect(calls).toEqual([]);
  });

  it("a batch purges once, naming every tag any of its articles changed", async () => {
    const calls = await recordPurges();
    await storeArticles({
      one: articleInput({ tags: ["Alpha"] }),
      two: articleInput({ tags: ["Beta"] }),
    });
    expect(calls).toEqual([["a:one", "a:two", "s:all", "s:tag%3Aalpha", "s:tag%3Abeta", "sitemap", "tags"]]);
  });

  it("a scheduled article purges like a publish when its time comes", async () => {
    const at = new Date(Math.ceil((Date.now() + 1_500) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const calls = await recordPurges();
    await storeArticle("on-time", articleInput({ publishedAt: at, tags: ["Timed"] }));
    expect(calls).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(at) - Date.now() + 100));
    await runDurableObjectAlarm(writer());
    await settle();
    expect(calls).toEqual([["a:on-time", "s:all", "s:tag%3Atimed", "sitemap", "tags"]]);
  });

  it("a verification purges only what it had to rewrite", async () => {
    const calls = await recordPurges();
    await request("/api/verify", { method: "POST", headers: AUTH });
    await settle();
    expect(calls).toEqual([]);
    await env.ARTICLES.delete("items:tag:russia");
    await request("/api/verify", { method: "POST", headers: AUTH });
    await settle();
    expect(calls).toEqual([["s:tag%3Arussia"]]);
  });

  it("queues a second purge of the same tags after KV's 60 s window", async () => {
    const before = Date.now();
    await recordPurges();
    await storeArticle("later", articleInput());
    const second = (await writer().state()).purges.filter((p) => p.round === 2 && p.due >= before + 60_000);
    expect(second.map((p) => p.tag)).toEqual(expect.arrayContaining(["a:later", "s:all", "sitemap"]));
  });

  it("keeps failed purges queued and retries them with backoff", async () => {
    let answer = { success: false, errors: [{ code: 1, message: "rate limited" }] };
    const calls: string[][] = [];
    await runInDurableObject(writer(), (instance: Newsroom) => {
      instance.purger = {
        async purge(tags) {
          calls.push(tags);
          return answer;
        },
      };
    });
    await writer().putArticle("retried", articleInput() as never, { origin: "https://news.example", hub: null });
    // The change reaches KV; its purge fails and waits.
    while ((await writer().state()).dirty > 0) await runDurableObjectAlarm(writer());
    const queued = (await writer().state()).purges.filter((p) => p.round === 1);
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.every((p) => p.attempts === 1 && p.due > Date.now())).toBe(true);
    answer = { success: true, errors: [] };
    await runInDurableObject(writer(), (_instance, state) => state.storage.sql.exec("UPDATE purges SET due = 0"));
    await settle();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect((await writer().state()).purges.filter((p) => p.round === 1)).toEqual([]);
  });
});

async function seedInput(): Promise<Record<string, unknown>> {
  const response = await request(`/api/articles/${SEED_SLUG}`);
  const { title, content, summary, publishedAt, authors, tags } = (await response.json()) as Record<string, unknown>;
  return { title, content, summary, publishedAt, authors, tags };
}
