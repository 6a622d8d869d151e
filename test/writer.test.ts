// The one writer: drafts and scheduled articles, honest Last-Modified, batches all or nothing,
// writes coalesced within KV's per-key limit, old stores adopted, and KV verified against it.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetReads } from "../src/store/read.ts";
import { markDirty } from "../src/writer/dirty.ts";
import { flush, type KvWriter } from "../src/writer/flush.ts";
import legacy from "./fixtures/legacy-store.json";
import { articleInput, request, resetStore, settle, storeArticle, storeArticles, writer } from "./helpers.ts";

const AUTH = { Authorization: "Bearer test-admin-token" };
const JSON_TYPE = { "Content-Type": "application/json" };

const put = (slug: string, input: Record<string, unknown>) =>
  request(`/api/articles/${slug}`, { method: "PUT", headers: { ...AUTH, ...JSON_TYPE }, body: JSON.stringify(input) });

const titlesOf = async (path: string) =>
  ((await (await request(path)).json()) as { items: { title: string }[] }).items.map((i) => i.title);

/** Every public view an article could appear in. */
async function publicViews(slug: string): Promise<Record<string, unknown>> {
  return {
    page: (await request(`/articles/${slug}`)).status,
    api: (await request(`/api/articles/${slug}`)).status,
    feeds: [
      ...(await titlesOf("/feed.json")),
      await (await request("/rss.xml")).text(),
      await (await request("/atom.xml")).text(),
    ].some((t) => t.includes("Hidden")),
    home: (await (await request("/")).text()).includes("Hidden"),
    tag: (await request("/tags/secret")).status,
    sitemap: (await (await request("/sitemap.xml")).text()).includes(slug),
    feedsPage: (await (await request("/feeds")).text()).includes("Secret"),
  };
}

const HIDDEN = { page: 404, api: 404, feeds: false, home: false, tag: 404, sitemap: false, feedsPage: false };

beforeEach(async () => {
  await resetStore();
  await storeArticle("visible", articleInput({ title: "Visible" }));
});

describe("drafts", () => {
  it("are stored, shown nowhere public, and returned to the admin with their status", async () => {
    const response = await put("hidden", articleInput({ title: "Hidden", draft: true, tags: ["Secret"] }));
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ slug: "hidden", status: "draft" });
    expect(await publicViews("hidden")).toEqual(HIDDEN);
    const admin = await request("/api/articles/hidden", { headers: AUTH });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toMatchObject({ title: "Hidden", status: "draft" });
  });

  it("go public when sent again without the flag, and back to hidden with it", async () => {
    await put("hidden", articleInput({ title: "Hidden", draft: true, tags: ["Secret"] }));
    await put("hidden", articleInput({ title: "Hidden", tags: ["Secret"] }));
    expect(await titlesOf("/feed.json")).toContain("Hidden");
    expect((await request("/tags/secret")).status).toBe(200);
    await put("hidden", articleInput({ title: "Hidden", draft: true, tags: ["Secret"] }));
    expect(await publicViews("hidden")).toEqual(HIDDEN);
  });
});

describe("scheduled articles", () => {
  it("are stored unseen until their time, then appear everywhere through the writer's alarm", async () => {
    const at = new Date(Math.ceil((Date.now() + 2_500) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const response = await put("hidden", articleInput({ title: "Hidden", publishedAt: at, tags: ["Secret"] }));
    expect(await response.json()).toMatchObject({ status: "scheduled" });
    expect(await publicViews("hidden")).toEqual(HIDDEN);
    // Nobody calls the writer: its own alarm, set for that time, publishes the article.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(at) - Date.now() + 300)));
    const deadline = Date.now() + 10_000;
    while (!(await titlesOf("/feed.json")).includes("Hidden") && Date.now() < deadline) {
      forgetReads(env.ARTICLES);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await settle();
    const feed = (await (await request("/feed.json")).json()) as { items: { title: string; date_published: string }[] };
    expect(feed.items[0]).toMatchObject({ title: "Hidden", date_published: at });
    expect(Date.parse(feed.items[0]?.date_published as string)).toBeLessThanOrEqual(Date.now());
    expect((await request("/articles/hidden")).status).toBe(200);
    expect((await request("/tags/secret")).status).toBe(200);
  }, 15_000);

  it("refuse a live article's update date in the future: no view may show a date to come", async () => {
    const response = await put("visible", articleInput({ title: "Visible", updatedAt: "2999-01-01T00:00:00Z" }));
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      "updatedAt",
    ]);
  });
});

describe("Last-Modified", () => {
  const lastModified = async (path: string) =>
    (await request(path, { method: "HEAD" })).headers.get("Last-Modified") as string;
  const since = (path: string, date: string) => request(path, { headers: { "If-Modified-Since": date } });

  for (const [change, apply] of [
    [
      "a backdated article",
      () => put("old-news", articleInput({ title: "Old news", publishedAt: "2001-01-01T00:00:00Z" })),
    ],
    ["an edit without a new updatedAt", () => put("visible", articleInput({ title: "Visible, corrected" }))],
    ["a deletion", () => request("/api/articles/visible", { method: "DELETE", headers: AUTH })],
  ] as const) {
    it(`moves forward after ${change}, so an If-Modified-Since poller sees it`, async () => {
      const before = await lastModified("/atom.xml");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await apply();
      const after = await lastModified("/atom.xml");
      expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
      expect((await since("/atom.xml", before)).status).toBe(200);
      expect((await since("/atom.xml", after)).status).toBe(304);
    });
  }

  it("dates an article's page by its own last change, not by its publication", async () => {
    const page = await lastModified("/articles/visible");
    expect(Date.parse(page)).toBeGreaterThan(Date.parse("2024-01-01T12:00:00Z") + 86_400_000);
  });
});

describe("batches", () => {
  const batch = (body: unknown) =>
    request("/api/batch", { method: "POST", headers: { ...AUTH, ...JSON_TYPE }, body: JSON.stringify(body) });

  it("create, replace and delete in one transaction, answering what happened to each", async () => {
    const response = await batch({
      articles: { one: articleInput({ title: "One" }), visible: articleInput({ title: "Visible" }) },
      delete: [],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      results: [
        { slug: "one", action: "created" },
        { slug: "visible", action: "unchanged" },
      ],
    });
    const removal = await batch({ delete: ["one", "never-was"] });
    expect(await removal.json()).toEqual({ results: [{ slug: "one", action: "deleted" }] });
  });

  it("write nothing when any article is invalid, naming the article and the field", async () => {
    const response = await batch({ articles: { good: articleInput(), bad: articleInput({ title: "" }) } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([
      { path: "articles.bad.title", message: "must not be empty" },
    ]);
    expect((await request("/api/articles/good")).status).toBe(404);
  });

  it("refuse more than 100 articles, unknown fields and a slug both put and deleted", async () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a-${i}`, articleInput()]));
    expect((await batch({ articles: many })).status).toBe(422);
    expect((await batch({ articles: {}, extra: 1 })).status).toBe(422);
    expect((await batch({ articles: { x: articleInput() }, delete: ["x"] })).status).toBe(422);
  });

  it("list every stored article's input hash and status for the publish command, drafts included", async () => {
    await put("hidden", articleInput({ title: "Hidden", draft: true }));
    const response = await request("/api/articles", { headers: AUTH });
    const { articles } = (await response.json()) as { articles: Record<string, { source: string; status: string }> };
    expect(Object.keys(articles).sort()).toEqual(["hidden", "visible"]);
    expect(articles.hidden?.status).toBe("draft");
    expect(articles.visible?.source).toMatch(/^[0-9a-f]{24}$/);
    expect((await request("/api/articles")).status).toBe(401);
  });
});

describe("KV writes", () => {
  it("coalesce a burst into one write per key, at most once a second, and the last state lands", async () => {
    await runInDurableObject(writer(), async (_instance, state) => {
      const sql = state.storage.sql;
      const writes: string[] = [];
      const kv: KvWriter = {
        async put(key, value) {
          writes.push(`${key} ${value.length}`);
        },
        async delete(key) {
          writes.push(`-${key}`);
        },
      };
      const options = { spacingMs: 1000, pageSize: 20, log: () => {} };
      // As if KV held something else: every flush below has a real change to write.
      const stale = () => sql.exec("UPDATE written SET stamp = 'stale' WHERE key = 'scope:all'");
      const t0 = (Math.floor(Date.now() / 1000) + 10) * 1000 + 500;
      stale();
      for (let i = 0; i < 5; i++) markDirty(sql, "scope:all");
      const first = await flush(sql, kv, { ...options, now: t0 });
      expect(first.written).toEqual(["scope:all"]);
      stale();
      markDirty(sql, "scope:all");
      const early = await flush(sql, kv, { ...options, now: t0 + 400 });
      expect(early.written).toEqual([]);
      expect(early.nextAt).toBe(t0 + 1000);
      const last = await flush(sql, kv, { ...options, now: t0 + 1000 });
      expect(last.written).toEqual(["scope:all"]);
      expect(last.nextAt).toBeNull();
      expect(writes).toHaveLength(2);
    });
  });

  it("never rewrite a value that did not change", async () => {
    const before = await env.ARTICLES.getWithMetadata("scope:all");
    await put("visible", articleInput({ title: "Visible" }));
    const after = await env.ARTICLES.getWithMetadata("scope:all");
    expect(after.value).toBe(before.value);
  });
});

describe("an existing store", () => {
  async function loadLegacy(): Promise<void> {
    await resetStore();
    for (const { key, value, metadata } of legacy.keys as { key: string; value: string; metadata?: unknown }[]) {
      await env.ARTICLES.put(key, value, metadata === undefined ? {} : { metadata });
    }
  }

  it("keeps serving what version 0.1 wrote until the writer adopts it", async () => {
    await loadLegacy();
    expect(await titlesOf("/feed.json")).toEqual(["Third report", "Second report", "First report"]);
    expect((await request("/tags/middle-east")).status).toBe(200);
  });

  it("is adopted on first use with no article lost, its old index values rewritten or removed", async () => {
    await loadLegacy();
    const record = await env.ARTICLES.get("article:second-report");
    await writer().tick();
    await settle();
    expect((await writer().state()).adoption).toBe("done");
    expect(await titlesOf("/feed.json")).toEqual(["Third report", "Second report", "First report"]);
    expect(await titlesOf("/tags/analysis/feed.json")).toEqual(["Second report", "First report"]);
    expect(await titlesOf("/tags/%D1%80%D0%BE%D1%81%D1%81%D0%B8%D1%8F/feed.json")).toEqual(["Third report"]);
    expect((await request("/articles/removed-report")).status).toBe(404);
    expect((await env.ARTICLES.list({ prefix: "catalog:" })).keys).toEqual([]);
    // Records are what the writer would write: not rewritten, so no KV write is spent on them.
    expect(await env.ARTICLES.get("article:second-report")).toBe(record);
    expect(
      await put("fourth-report", articleInput({ title: "Fourth report", publishedAt: "2024-03-09T00:00:00Z" })),
    ).toHaveProperty("status", 201);
    expect((await titlesOf("/feed.json"))[0]).toBe("Fourth report");
  });
});

describe("verification", () => {
  it("rewrites what KV lost or holds wrongly, deletes what should not be there, and nothing else", async () => {
    await storeArticles({ tagged: articleInput({ title: "Tagged", tags: ["Kept"] }) });
    const untouched = await env.ARTICLES.get("article:visible");
    await env.ARTICLES.delete("items:all");
    await env.ARTICLES.put("scope:tag:kept", "not json");
    await env.ARTICLES.put("scope:tag:ghost", JSON.stringify({ v: 2 }));
    const response = await request("/api/verify", { method: "POST", headers: AUTH });
    expect(response.status).toBe(202);
    await settle();
    // Published at the same instant: the slug breaks the tie.
    expect(await titlesOf("/feed.json")).toEqual(["Tagged", "Visible"]);
    expect(await titlesOf("/tags/kept/feed.json")).toEqual(["Tagged"]);
    expect(await env.ARTICLES.get("scope:tag:ghost")).toBeNull();
    expect(await env.ARTICLES.get("article:visible")).toBe(untouched);
  });
});
