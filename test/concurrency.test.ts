// Nothing lost: concurrent writes through the API all land, deletes leave no trace in any feed,
// page or tag, and the scheduled rebuild heals an index that a lost update left wrong.

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { rebuildIndexes } from "../src/store/kv.ts";
import { articleInput, request, resetStore } from "./helpers.ts";

const AUTH = { Authorization: "Bearer test-admin-token" };

function put(slug: string, input: Record<string, unknown>): Promise<Response> {
  return request(`/api/articles/${slug}`, {
    method: "PUT",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: JSON.stringify(input),
  });
}

const remove = (slug: string) => request(`/api/articles/${slug}`, { method: "DELETE", headers: AUTH });

/** The article a test writes: a distinct minute per index, so the expected order is known. */
const article = (i: number, tags: string[]) =>
  articleInput({ title: `Article ${i}`, publishedAt: `2024-01-01T10:${String(i).padStart(2, "0")}:00Z`, tags });

async function slugsIn(path: string): Promise<string[] | number> {
  const response = await request(path);
  if (response.status !== 200) return response.status;
  const feed = (await response.json()) as { items: { url: string }[] };
  return feed.items.map((item) => item.url.replace("https://news.example/articles/", ""));
}

async function runScheduled(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: Date.UTC(2024, 0, 1), cron: "17 * * * *" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

beforeEach(async () => {
  await resetStore();
});

describe("concurrent writes", () => {
  it("keeps every one of 15 concurrent PUTs of different articles, in the feeds and on the tag pages", async () => {
    const slugs = Array.from({ length: 15 }, (_, i) => `article-${i}`);
    const responses = await Promise.all(
      slugs.map((slug, i) => put(slug, article(i, i % 3 === 0 ? ["Shared", "Third"] : ["Shared"]))),
    );
    expect(responses.map((r) => r.status)).toEqual(slugs.map(() => 201));

    const newestFirst = [...slugs].reverse();
    expect(await slugsIn("/feed.json")).toEqual(newestFirst);
    expect(await slugsIn("/tags/shared/feed.json")).toEqual(newestFirst);
    expect(await slugsIn("/tags/third/feed.json")).toEqual(
      newestFirst.filter((s) => Number(s.split("-")[1]) % 3 === 0),
    );
    const page = await (await request("/tags/shared")).text();
    for (const slug of slugs) expect(page).toContain(`/articles/${slug}"`);
    // The indexes written one write at a time agree with a rebuild from the articles themselves.
    expect((await rebuildIndexes(env.ARTICLES)).rewritten).toEqual([]);
  });

  it("ends consistent after interleaved PUTs, replacements and DELETEs", async () => {
    for (let i = 0; i < 6; i++) expect((await put(`article-${i}`, article(i, ["Old"]))).status).toBe(201);

    const results = await Promise.all([
      put("article-0", article(0, ["New"])),
      put("article-1", article(1, ["Old", "New"])),
      remove("article-2"),
      remove("article-3"),
      put("article-6", article(6, ["New"])),
      put("article-2", article(2, ["New"])),
      remove("article-4"),
      put("article-7", article(7, ["Old"])),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 204, 204, 201, expect.any(Number), 204, 201]);
    // The DELETE and the PUT of article-2 race: whichever ran last decides, and every index agrees.
    const revived = (await request("/api/articles/article-2")).status === 200;
    expect(results[5]?.status).toBe(revived ? 201 : 200);
    const ifRevived = (slugs: string[]) => slugs.filter((s) => s !== "article-2" || revived);
    expect(await slugsIn("/feed.json")).toEqual(
      ifRevived(["article-7", "article-6", "article-5", "article-2", "article-1", "article-0"]),
    );
    expect(await slugsIn("/tags/old/feed.json")).toEqual(["article-7", "article-5", "article-1"]);
    expect(await slugsIn("/tags/new/feed.json")).toEqual(
      ifRevived(["article-6", "article-2", "article-1", "article-0"]),
    );
    expect((await rebuildIndexes(env.ARTICLES)).rewritten).toEqual([]);
  });
});

describe("DELETE", () => {
  it("removes the article from every feed, page and tag; a tag page 404s when its last article goes", async () => {
    await put("stays", article(1, ["Common"]));
    await put("goes", article(2, ["Common", "Only Here"]));
    expect(await slugsIn("/tags/only-here/feed.json")).toEqual(["goes"]);

    expect((await remove("goes")).status).toBe(204);

    for (const path of ["/feed.json", "/tags/common/feed.json"]) expect(await slugsIn(path)).toEqual(["stays"]);
    for (const path of [
      "/tags/only-here",
      "/tags/only-here/rss.xml",
      "/tags/only-here/atom.xml",
      "/tags/only-here/feed.json",
      "/articles/goes",
      "/api/articles/goes",
    ]) {
      expect((await request(path)).status, path).toBe(404);
    }
    for (const path of [
      "/",
      "/rss.xml",
      "/atom.xml",
      "/tags/common",
      "/tags/common/rss.xml",
      "/tags/common/atom.xml",
      "/articles/stays",
    ]) {
      const body = await (await request(path)).text();
      expect(body, path).not.toContain("/articles/goes");
      expect(body, path).not.toContain("Only Here");
    }
  });

  it("removes a tag's feeds when a replacement drops the tag", async () => {
    await put("a", article(1, ["Passing"]));
    expect((await put("a", article(1, []))).status).toBe(200);
    expect((await request("/tags/passing/feed.json")).status).toBe(404);
    expect(await slugsIn("/feed.json")).toEqual(["a"]);
  });
});

describe("the scheduled rebuild", () => {
  beforeEach(async () => {
    for (let i = 0; i < 3; i++) await put(`article-${i}`, article(i, ["Kept"]));
  });

  it("brings back a lost site-wide index", async () => {
    for (const key of ["scope:all", "items:all", "catalog:all"]) await env.ARTICLES.delete(key);
    expect(await slugsIn("/feed.json")).toEqual([]);
    await runScheduled();
    expect(await slugsIn("/feed.json")).toEqual(["article-2", "article-1", "article-0"]);
  });

  it("replaces a stale index: a lost update, a deleted article still listed, a tag that no longer exists", async () => {
    // What a write lost to a concurrent one in another isolate leaves behind: indexes from before.
    const before = {
      scope: await env.ARTICLES.get("scope:all"),
      items: await env.ARTICLES.get("items:all"),
      catalog: await env.ARTICLES.get("catalog:all"),
    };
    await put("article-3", article(3, ["Ghost"]));
    await remove("article-3");
    await put("article-4", article(4, ["Kept"]));
    await put("article-0", { ...article(0, ["Kept"]), title: "Article 0, revised" });
    await env.ARTICLES.put("scope:all", before.scope as string);
    await env.ARTICLES.put("items:all", before.items as string);
    await env.ARTICLES.put("catalog:all", before.catalog as string);
    await env.ARTICLES.put(
      "catalog:tag:ghost",
      JSON.stringify([["article-3", "0", "2024-01-01T10:03:00Z", "2024-01-01T10:03:00Z"]]),
    );
    await env.ARTICLES.put(
      "scope:tag:ghost",
      JSON.stringify({ v: 1, total: 1, head: [["article-3", "0", "2024-01-01T10:03:00Z", "2024-01-01T10:03:00Z"]] }),
    );
    expect(await slugsIn("/feed.json")).toEqual(["article-2", "article-1", "article-0"]);

    await runScheduled();

    expect(await slugsIn("/feed.json")).toEqual(["article-4", "article-2", "article-1", "article-0"]);
    const titles = ((await (await request("/feed.json")).json()) as { items: { title: string }[] }).items.map(
      (i) => i.title,
    );
    expect(titles.at(-1)).toBe("Article 0, revised");
    expect(await slugsIn("/tags/ghost/feed.json")).toBe(404);
    expect(await slugsIn("/tags/kept/feed.json")).toEqual(["article-4", "article-2", "article-1", "article-0"]);
    expect((await rebuildIndexes(env.ARTICLES)).rewritten).toEqual([]);
  });
});
