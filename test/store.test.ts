// The read path's promises: a fixed KV cost per request whatever is stored, and bad records
// never take a feed down.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseArticleInput } from "../src/article/model.ts";
import { SCOPE_MEMORY_MS } from "../src/store/read.ts";
import {
  articleInput,
  ORIGIN,
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

interface Counts {
  /** Bytes of text the reads returned. */
  bytes: number;
  get: number;
  list: number;
  put: number;
  delete: number;
}

function countingKv(): { kv: KVNamespace; counts: Counts } {
  const counts: Counts = { bytes: 0, get: 0, list: 0, put: 0, delete: 0 };
  const kv = new Proxy(env.ARTICLES, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property in counts) counts[property as keyof Counts]++;
        const result = value.apply(target, args);
        if (property !== "get") return result;
        return result.then((text: unknown) => {
          if (typeof text === "string") counts.bytes += text.length;
          return text;
        });
      };
    },
  });
  return { kv, counts };
}

/** Stores n small articles through the writer, a hundred to a batch as the publish command sends them. */
async function storeMany(n: number): Promise<void> {
  for (let from = 0; from < n; from += 100) {
    const batch: Record<string, Record<string, unknown>> = {};
    for (let i = from; i < Math.min(n, from + 100); i++) {
      const day = String((i % 28) + 1).padStart(2, "0");
      const month = String((i % 12) + 1).padStart(2, "0");
      batch[`bulk-${i}`] = articleInput({
        title: `Bulk ${i}`,
        publishedAt: `2023-${month}-${day}T${String(i % 24).padStart(2, "0")}:00:00Z`,
        tags: ["Bulk"],
      });
    }
    await storeArticles(batch);
  }
}

beforeEach(async () => {
  await resetStore();
  await storeSeed();
});

describe("KV cost of a request", () => {
  for (const path of ["/rss.xml", "/atom.xml", "/feed.json", "/", "/tags/bulk/rss.xml"]) {
    it(`${path} reads at most 2 keys, the same bytes, and never lists, with 150 or 300 articles stored`, async () => {
      const costs: Counts[] = [];
      for (const total of [150, 300]) {
        await resetStore();
        await storeSeed();
        await storeMany(total);
        const { kv, counts } = countingKv();
        const response = await requestWithEnv({ ARTICLES: kv }, path);
        expect(response.status).toBe(200);
        costs.push({ ...counts });
      }
      for (const c of costs) {
        expect(c.get).toBeLessThanOrEqual(2);
        expect(c.list).toBe(0);
        expect(c.put + c.delete).toBe(0);
      }
      const [small, large] = costs as [Counts, Counts];
      expect(large.get).toBe(small.get);
      // The page's entries and a head of the newest articles outside the archives, never more.
      expect(large.bytes).toBeLessThan(small.bytes * 1.1);
    }, 60_000);
  }

  it("reads only the first page's entries for page 1", async () => {
    await storeMany(120);
    const { kv, counts } = countingKv();
    const response = await requestWithEnv({ ARTICLES: kv }, "/atom.xml");
    expect(response.status).toBe(200);
    const items = (await env.ARTICLES.get("items:all")) as string;
    expect(items.split("\n")).toHaveLength(20);
    const scope = (await env.ARTICLES.get("scope:all")) as string;
    expect(counts.bytes).toBe(items.length + scope.length);
  }, 30_000);

  it("reads the rest of the newest articles for a second page, still in 2 reads", async () => {
    await storeMany(60);
    const { kv, counts } = countingKv();
    const response = await requestWithEnv({ ARTICLES: kv }, "/feed.json?page=2");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(20);
    expect(counts.get).toBe(2);
  }, 30_000);

  it("reads a deep page from the head, the archive directory and the archives it spans: 4 reads at most", async () => {
    await storeMany(299);
    const { kv, counts } = countingKv();
    const response = await requestWithEnv({ ARTICLES: kv }, "/feed.json?page=9");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(20);
    expect(counts.get).toBeLessThanOrEqual(4);
    expect(counts.list).toBe(0);
  }, 60_000);

  it("reads an archive document, the sitemap, the feeds page and the OPML in 2 reads each", async () => {
    await storeMany(150);
    for (const path of ["/archives/1/atom.xml", "/sitemap.xml", "/feeds", "/feeds.opml"]) {
      const { kv, counts } = countingKv();
      expect((await requestWithEnv({ ARTICLES: kv }, path)).status, path).toBe(200);
      expect(counts.get, path).toBeLessThanOrEqual(2);
      expect(counts.list, path).toBe(0);
    }
  }, 60_000);

  it("answers a poll with a matching ETag after one small read", async () => {
    const etag = (await request("/rss.xml")).headers.get("ETag") as string;
    const { kv, counts } = countingKv();
    const response = await requestWithEnv({ ARTICLES: kv }, "/rss.xml", { headers: { "If-None-Match": etag } });
    expect(response.status).toBe(304);
    expect(counts).toMatchObject({ get: 1, list: 0, put: 0, delete: 0 });
  });
});

describe("isolate memory", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers a repeated poll without any KV read", async () => {
    const { kv, counts } = countingKv();
    const first = await requestWithEnv({ ARTICLES: kv }, "/feed.json");
    const etag = first.headers.get("ETag") as string;
    expect(counts.get).toBe(2);
    const again = await requestWithEnv({ ARTICLES: kv }, "/feed.json");
    const revalidated = await requestWithEnv({ ARTICLES: kv }, "/feed.json", { headers: { "If-None-Match": etag } });
    expect(await again.text()).toBe(await first.text());
    expect(revalidated.status).toBe(304);
    expect(counts.get).toBe(2);
  });

  it("trusts a scope head for a few seconds only, well inside KV's own 60 s", async () => {
    await request("/rss.xml");
    // A publish this isolate does not hear of: the writer flushes, nothing here forgets.
    const input = parseArticleInput(
      articleInput({ title: "Published elsewhere", publishedAt: "2025-01-01T00:00:00Z" }),
    );
    if (!input.ok) throw new Error("bad fixture");
    await writer().putArticle("elsewhere", input.value, { origin: ORIGIN, hub: null });
    while ((await writer().state()).dirty > 0) await runDurableObjectAlarm(writer());
    expect(await (await request("/rss.xml")).text()).not.toContain("Published elsewhere");
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + SCOPE_MEMORY_MS + 1 });
    expect(await (await request("/rss.xml")).text()).toContain("Published elsewhere");
  });

  it("can be turned off, so every request reads KV", async () => {
    const { kv, counts } = countingKv();
    await requestWithEnv({ ARTICLES: kv, ISOLATE_MEMORY: "off" }, "/feed.json");
    const afterFirst = counts.get;
    await requestWithEnv({ ARTICLES: kv, ISOLATE_MEMORY: "off" }, "/feed.json");
    expect(counts.get).toBe(afterFirst * 2);
    await requestWithEnv({ ISOLATE_MEMORY: "on" }, "/");
  });
});

describe("bad records", () => {
  it("skips a corrupt feed entry and serves the rest", async () => {
    await storeArticle("second", articleInput({ title: "Second", publishedAt: "2025-01-01T00:00:00Z" }));
    const items = (await env.ARTICLES.get("items:all")) as string;
    await env.ARTICLES.put("items:all", items.replace(/^[^\n]*/, "{not json"));
    const response = await request("/feed.json");
    expect(response.status).toBe(200);
    const feed = (await response.json()) as { items: { title: string }[] };
    expect(feed.items.map((i) => i.title)).toEqual([expect.stringMatching(/^ISIS-K/)]);
  });

  it("answers 404, not 500, for an article record of another schema, and keeps serving the feeds", async () => {
    await env.ARTICLES.put("article:old-one", JSON.stringify({ v: 0, slug: "old-one", headline: "Old" }));
    await env.ARTICLES.put("scope:tag:broken", "{not json");
    expect((await request("/articles/old-one")).status).toBe(404);
    expect((await request("/api/articles/old-one")).status).toBe(404);
    expect((await request("/tags/broken")).status).toBe(404);
    const feed = await request("/rss.xml");
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("ISIS-K");
  });

  it("serves an empty feed, not an error, while an index value is lost, until verification restores it", async () => {
    await env.ARTICLES.delete("scope:all");
    await env.ARTICLES.delete("items:all");
    const lost = await request("/feed.json");
    expect(lost.status).toBe(200);
    expect(await lost.text()).not.toContain(SEED_SLUG);
    await request("/api/verify", { method: "POST", headers: { Authorization: "Bearer test-admin-token" } });
    await settle();
    expect(await (await request("/feed.json")).text()).toContain(SEED_SLUG);
  });
});
