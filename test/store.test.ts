// The store's promises: fixed KV cost per request, and bad records never take a feed down.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tagSlug } from "../src/article/model.ts";
import { articleFromInput } from "../src/article/prepare.ts";
import { putArticle, rebuildIndexes, SCOPE_MEMORY_MS } from "../src/store/kv.ts";
import { articleInput, request, requestWithEnv, resetStore, SEED_SLUG, storeArticle, storeSeed } from "./helpers.ts";

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

/** Stores n small articles quickly: records first, then one index rebuild. */
async function storeMany(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    const parsed = await articleFromInput(
      `bulk-${i}`,
      articleInput({
        title: `Bulk ${i}`,
        publishedAt: `2023-${String((i % 12) + 1).padStart(2, "0")}-${day}T10:00:00Z`,
        tags: ["Bulk"],
      }),
      null,
    );
    if (!parsed.ok) throw new Error("bad fixture");
    await env.ARTICLES.put(`article:bulk-${i}`, JSON.stringify(parsed.value), {
      metadata: { p: parsed.value.publishedAt, h: parsed.value.hash, t: ["bulk"] },
    });
  }
  await rebuildIndexes(env.ARTICLES);
}

beforeEach(async () => {
  await resetStore();
  await storeSeed();
});

describe("KV cost of a request", () => {
  for (const path of ["/rss.xml", "/atom.xml", "/feed.json", "/", "/tags/bulk/rss.xml"]) {
    // Past the newest 100 (the head every scope keeps), a request reads the same whatever is stored.
    it(`${path} reads at most 2 keys, the same bytes, and never lists, with 150 or 300 articles stored`, async () => {
      const costs: Counts[] = [];
      for (const total of [150, 300]) {
        await resetStore();
        await storeSeed();
        await storeMany(total);
        const { kv, counts } = countingKv();
        // A poll that must render: no validators, and a fresh page of the edge cache each time.
        await caches.default.delete(new Request(`https://news.example${path}?encoding=identity`));
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
      // The page's entries only: a few bytes more for longer slugs and counts, never the whole head.
      expect(large.bytes).toBeLessThan(small.bytes * 1.1);
    }, 30_000);
  }

  it("reads only the first page's entries for page 1, not the whole head of 100", async () => {
    await storeMany(120);
    const { kv, counts } = countingKv();
    const response = await requestWithEnv({ ARTICLES: kv }, "/atom.xml");
    expect(response.status).toBe(200);
    const items = (await env.ARTICLES.get("items:all")) as string;
    expect(items.split("\n")).toHaveLength(20);
    const scope = (await env.ARTICLES.get("scope:all")) as string;
    expect(counts.bytes).toBe(items.length + scope.length);
  }, 30_000);

  it("reads the rest of the newest 100 for a second page, still in 2 reads", async () => {
    await storeMany(60);
    const { kv, counts } = countingKv();
    const response = await requestWithEnv({ ARTICLES: kv }, "/feed.json?page=2");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(20);
    expect(counts.get).toBe(2);
  }, 30_000);

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
    vi.useFakeTimers({ toFake: ["Date"] });
    await request("/rss.xml");
    // Another isolate's publish: this one's store never saw the write.
    const other = countingKv().kv;
    const parsed = await articleFromInput("elsewhere", articleInput({ title: "Published elsewhere" }), null);
    if (!parsed.ok) throw new Error("bad fixture");
    await putArticle(other, parsed.value);
    expect(await (await request("/rss.xml")).text()).not.toContain("Published elsewhere");
    vi.advanceTimersByTime(SCOPE_MEMORY_MS + 1);
    expect(await (await request("/rss.xml")).text()).toContain("Published elsewhere");
  });

  it("can be turned off, so every request reads KV", async () => {
    const { kv, counts } = countingKv();
    await requestWithEnv({ ARTICLES: kv, ISOLATE_MEMORY: "off" }, "/feed.json");
    const afterFirst = counts.get;
    await requestWithEnv({ ARTICLES: kv, ISOLATE_MEMORY: "off" }, "/feed.json");
    // The scope head again; the body itself may come from the edge cache.
    expect(counts.get).toBeGreaterThan(afterFirst);
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

  it("skips an article record from an older schema and says so in the log, not in a 500", async () => {
    await env.ARTICLES.put("article:old-one", JSON.stringify({ v: 0, slug: "old-one", headline: "Old" }), {
      metadata: { p: "2025-06-01T00:00:00Z", h: "x", t: [] },
    });
    const report = await rebuildIndexes(env.ARTICLES, { log: () => {} });
    expect(report.articles).toBe(2);
    const feed = await request("/rss.xml");
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("ISIS-K");
    expect((await request("/articles/old-one")).status).toBe(404);
  });

  it("rebuilds a deleted index from the articles themselves", async () => {
    await env.ARTICLES.delete("scope:all");
    await env.ARTICLES.delete("items:all");
    await env.ARTICLES.delete("catalog:all");
    expect(await (await request("/feed.json")).text()).not.toContain(SEED_SLUG);
    const report = await rebuildIndexes(env.ARTICLES);
    expect(report.rewritten).toContain("all");
    expect(await (await request("/feed.json")).text()).toContain(SEED_SLUG);
  });

  it("rebuilds tag feeds for tags too long for KV's 1 KiB of metadata", async () => {
    const tags = Array.from({ length: 10 }, (_, i) => `${"Ближний Восток".repeat(2)} ${i}`);
    await storeArticle("long-tags", articleInput({ title: "Long tags", tags }));
    const listed = await env.ARTICLES.list({ prefix: "article:long-tags" });
    expect(JSON.stringify(listed.keys[0]?.metadata).length).toBeLessThanOrEqual(1024);
    await env.ARTICLES.delete("catalog:all");
    const report = await rebuildIndexes(env.ARTICLES);
    expect(report.rewritten).toContain("all");
    const feed = await request(`/tags/${encodeURIComponent(tagSlug(tags[9] as string))}/feed.json`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("Long tags");
  });

  it("keeps every concurrent write of different articles", async () => {
    const parsed = await Promise.all(
      ["one", "two", "three", "four", "five"].map((slug) =>
        articleFromInput(slug, articleInput({ title: slug }), null),
      ),
    );
    await Promise.all(parsed.map((p) => (p.ok ? putArticle(env.ARTICLES, p.value) : Promise.reject())));
    const feed = (await (await request("/feed.json")).json()) as { items: { title: string }[] };
    expect(feed.items.map((i) => i.title)).toEqual(expect.arrayContaining(["one", "two", "three", "four", "five"]));
  });
});
