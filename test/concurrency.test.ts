// Nothing lost: concurrent writes through the API all land, deletes leave no trace in any feed,
// page or tag, and verification restores an index value KV lost or holds wrongly. (Concurrency
// across separate HTTP requests is tested against a running runtime in test/runtime.)
import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { articleInput, request, resetStore, settle, writer } from "./helpers.ts";

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

/** Every KV value: what "nothing was rewritten" compares. */
async function snapshot(): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const key of (await env.ARTICLES.list()).keys) out[key.name] = await env.ARTICLES.get(key.name);
  return out;
}

/** Asks the writer to compare KV with its catalog and rewrite what differs. */
async function verify(): Promise<void> {
  const response = await request("/api/verify", { method: "POST", headers: AUTH });
  expect(response.status).toBe(202);
  await settle();
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
    // What the writer flushed agrees with a verification against its catalog: nothing to rewrite.
    const before = await snapshot();
    await verify();
    expect(await snapshot()).toEqual(before);
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
    const before = await snapshot();
    await verify();
    expect(await snapshot()).toEqual(before);
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
    ]) {
      expect((await request(path)).status, path).toBe(404);
    }
    for (const path of ["/articles/goes", "/api/articles/goes"]) expect((await request(path)).status, path).toBe(410);
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

describe("verification", () => {
  beforeEach(async () => {
    for (let i = 0; i < 3; i++) await put(`article-${i}`, article(i, ["Kept"]));
  });

  it("brings back a lost site-wide index", async () => {
    for (const key of ["scope:all", "items:all"]) await env.ARTICLES.delete(key);
    expect(await slugsIn("/feed.json")).toEqual([]);
    await verify();
    expect(await slugsIn("/feed.json")).toEqual(["article-2", "article-1", "article-0"]);
  });

  it("replaces stale values: an older head, a deleted article still listed, a tag that no longer exists", async () => {
    const before = { scope: await env.ARTICLES.get("scope:all"), items: await env.ARTICLES.get("items:all") };
    await put("article-3", article(3, ["Ghost"]));
    await remove("article-3");
    await put("article-4", article(4, ["Kept"]));
    await put("article-0", { ...article(0, ["Kept"]), title: "Article 0, revised" });
    await env.ARTICLES.put("scope:all", before.scope as string);
    await env.ARTICLES.put("items:all", before.items as string);
    await env.ARTICLES.put(
      "scope:tag:ghost",
      JSON.stringify({
        v: 1,
        total: 1,
        split: 1,
        head: [["article-3", "0", "2024-01-01T10:03:00Z", "2024-01-01T10:03:00Z"]],
      }),
    );
    expect(await slugsIn("/feed.json")).toEqual(["article-2", "article-1", "article-0"]);

    await verify();

    expect(await slugsIn("/feed.json")).toEqual(["article-4", "article-2", "article-1", "article-0"]);
    const titles = ((await (await request("/feed.json")).json()) as { items: { title: string }[] }).items.map(
      (i) => i.title,
    );
    expect(titles.at(-1)).toBe("Article 0, revised");
    expect(await slugsIn("/tags/ghost/feed.json")).toBe(404);
    expect(await slugsIn("/tags/kept/feed.json")).toEqual(["article-4", "article-2", "article-1", "article-0"]);
  });

  it("runs nothing heavy from the daily cron: it only makes sure the writer's work is scheduled", async () => {
    const before = await snapshot();
    await exports.default.scheduled();
    await settle();
    expect(await snapshot()).toEqual(before);
    expect((await writer().state()).adoption).toBe("done");
  });
});
