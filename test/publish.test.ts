import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { Article } from "../src/article/model.ts";
import {
  formatIssue,
  type PublishProgress,
  type PublishResult,
  publishContent,
  type SourceFile,
} from "../src/publish/publish.ts";
import { type CommandResult, WranglerKv } from "../src/publish/wrangler-kv.ts";
import { getArticle, type KvLike } from "../src/store/kv.ts";
import { request, resetStore, SEED_FILE, SEED_SLUG, seedText } from "./helpers.ts";

/** The Worker's own KV, with every write it receives recorded. */
function recordingKv(kv: KvLike = env.ARTICLES) {
  const writes: string[] = [];
  const recorded: KvLike = {
    get: (key, type) => kv.get(key, type),
    list: (options) => kv.list(options),
    put: (key, value, options) => {
      writes.push(`put ${key}`);
      return kv.put(key, value, options);
    },
    delete: (key) => {
      writes.push(`delete ${key}`);
      return kv.delete(key);
    },
  };
  return { kv: recorded, writes };
}

function contentFile(slug: string, front: string, body = "Some *Markdown* text."): SourceFile {
  return { name: `content/${slug}.md`, text: `---\n${front.trim()}\n---\n\n${body}\n` };
}

const SEED: SourceFile = { name: `content/${SEED_FILE}`, text: seedText };
const FIRST = contentFile("first-post", "title: First post\npublishedAt: 2024-01-01T12:00:00Z\ntags: [Notes]");
const SECOND = contentFile(
  "second-post",
  "title: Second post\npublishedAt: 2024-02-01T12:00:00Z\ntags: [Notes, Extra]",
);

async function publish(files: SourceFile[], options: { prune?: boolean; kv?: KvLike } = {}) {
  const progress: PublishProgress[] = [];
  const result = await publishContent(options.kv ?? env.ARTICLES, files, {
    prune: options.prune ?? false,
    onProgress: (p) => progress.push(p),
  });
  return { result, progress };
}

function expectPublished(result: PublishResult): asserts result is Extract<PublishResult, { ok: true }> {
  if (!result.ok) throw new Error(`publish failed: ${result.issues.map(formatIssue).join("; ")}`);
}

async function feedItemIds(path: string): Promise<string[]> {
  const response = await request(path);
  if (response.status === 404) return [];
  expect(response.status).toBe(200);
  const feed = (await response.json()) as { items: { url: string }[] };
  return feed.items.map((item) => item.url.replace(/^.*\/articles\//, ""));
}

async function storedKeys(): Promise<string[]> {
  return (await env.ARTICLES.list()).keys.map((k) => k.name);
}

describe("the publish command's core", () => {
  beforeEach(async () => {
    await resetStore();
  });

  it("reports every problem with its file and field, and writes nothing when one file is invalid", async () => {
    const broken = [
      contentFile("bad-date", "title: Bad date\npublishedAt: yesterday"),
      contentFile("no-title", "publishedAt: 2024-01-01T12:00:00Z\nauthors: [{ name: Ann, url: not-a-url }]"),
      { name: "content/Not A Slug.md", text: "---\ntitle: T\npublishedAt: 2024-01-01T12:00:00Z\n---\n\nText\n" },
      { name: "content/no-front-matter.md", text: "Just text.\n" },
    ];
    const { kv, writes } = recordingKv();
    const { result } = await publish([SEED, FIRST, ...broken], { kv });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual([
      "content/bad-date.md: publishedAt: must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z",
      "content/no-title.md: title: is required",
      "content/no-title.md: authors.0.url: must be an absolute http(s) URL",
      "content/Not A Slug.md: slug: the file name must be a slug (^[a-z0-9]+(?:-[a-z0-9]+)*$) followed by .md",
      "content/no-front-matter.md: must start with YAML front matter between --- lines",
    ]);
    expect(writes).toEqual([]);
    expect(await storedKeys()).toEqual([]);
    expect(await feedItemIds("/feed.json")).toEqual([]);
  });

  it("refuses two files that would become the same article", async () => {
    const { result } = await publish([FIRST, { ...FIRST, name: "drafts/first-post.md" }]);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      "drafts/first-post.md: slug: is also the slug of content/first-post.md",
    ]);
    expect(await storedKeys()).toEqual([]);
  });

  it("publishes the real seed file from content/ so that every feed and page carries it", async () => {
    const { result, progress } = await publish([SEED]);
    expectPublished(result);
    expect(progress).toEqual([{ action: "created", slug: SEED_SLUG, file: `content/${SEED_FILE}` }]);

    const feed = (await (await request("/feed.json")).json()) as { items: { title: string; url: string }[] };
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]?.url).toBe(`https://news.example/articles/${SEED_SLUG}`);
    expect(feed.items[0]?.title).toMatch(/^ISIS-K/);
    expect(await (await request("/rss.xml")).text()).toContain(`/articles/${SEED_SLUG}</link>`);
    expect(await (await request("/atom.xml")).text()).toContain(`/articles/${SEED_SLUG}"`);
    expect((await request(`/articles/${SEED_SLUG}`)).status).toBe(200);
    expect(await feedItemIds("/tags/afghanistan/feed.json")).toEqual([SEED_SLUG]);
  });

  it("stores the same record the admin API would", async () => {
    await publish([SEED]);
    const stored = await getArticle(env.ARTICLES, SEED_SLUG);
    const response = await request(`/api/articles/${SEED_SLUG}`);
    const api = (await response.json()) as Article;
    expect(stored?.hash).toBe(api.hash);
    expect(stored?.publishedAt).toBe("2024-05-17T00:00:00Z");
    expect(stored?.tags).toEqual(["Russia", "ISIS-K", "Afghanistan", "Terrorism"]);
  });

  it("writes nothing at all when run a second time with the same files", async () => {
    await publish([SEED, FIRST, SECOND]);
    const { kv, writes } = recordingKv();
    const { result, progress } = await publish([SEED, FIRST, SECOND], { kv });

    expectPublished(result);
    expect(writes).toEqual([]);
    expect(progress.map((p) => p.action)).toEqual(["unchanged", "unchanged", "unchanged"]);
    expect(result.indexes.rewritten).toEqual([]);
  });

  it("updates only the edited article, keeping its id and publication date", async () => {
    await publish([FIRST, SECOND]);
    const before = await getArticle(env.ARTICLES, "first-post");
    const edited = contentFile(
      "first-post",
      "title: First post, corrected\npublishedAt: 2024-01-01T12:00:00Z\nupdatedAt: 2024-03-01T08:00:00Z\ntags: [Notes]",
    );
    const { kv, writes } = recordingKv();
    const { progress } = await publish([edited, SECOND], { kv });

    expect(progress.map((p) => `${p.action} ${p.slug}`)).toEqual(["updated first-post", "unchanged second-post"]);
    expect(writes.filter((w) => w.includes("article:"))).toEqual(["put article:first-post"]);
    const after = await getArticle(env.ARTICLES, "first-post");
    expect(after?.id).toBe(before?.id);
    expect(after?.publishedAt).toBe(before?.publishedAt);
    expect(after?.title).toBe("First post, corrected");
    const feed = (await (await request("/tags/notes/feed.json")).json()) as { items: { title: string }[] };
    expect(feed.items.map((i) => i.title)).toEqual(["Second post", "First post, corrected"]);
  });

  it("keeps a replaced article's publication date when the file stops giving one", async () => {
    await publish([FIRST]);
    const undated = contentFile("first-post", "title: First post\ntags: [Notes]", "New text.");
    const { result } = await publish([undated]);
    expectPublished(result);
    expect((await getArticle(env.ARTICLES, "first-post"))?.publishedAt).toBe("2024-01-01T12:00:00Z");
  });

  it("leaves articles without a file alone unless told to prune", async () => {
    await publish([FIRST, SECOND]);
    const { progress } = await publish([FIRST]);
    expect(progress.map((p) => p.action)).toEqual(["unchanged"]);
    expect(await feedItemIds("/feed.json")).toEqual(["second-post", "first-post"]);
  });

  it("with prune, removes an article whose file is gone from every feed, page and tag", async () => {
    await publish([SEED, FIRST, SECOND]);
    expect(await feedItemIds("/tags/extra/feed.json")).toEqual(["second-post"]);

    const { result, progress } = await publish([SEED, FIRST], { prune: true });
    expectPublished(result);
    expect(progress.map((p) => `${p.action} ${p.slug}`)).toEqual([
      `unchanged ${SEED_SLUG}`,
      "unchanged first-post",
      "deleted second-post",
    ]);
    expect(await feedItemIds("/feed.json")).toEqual([SEED_SLUG, "first-post"]);
    expect(await feedItemIds("/tags/notes/feed.json")).toEqual(["first-post"]);
    for (const path of [
      "/tags/extra",
      "/tags/extra/feed.json",
      "/tags/extra/rss.xml",
      "/articles/second-post",
      "/api/articles/second-post",
    ]) {
      expect((await request(path)).status, path).toBe(404);
    }
    expect(await (await request("/rss.xml")).text()).not.toContain("second-post");
    expect(await (await request("/atom.xml")).text()).not.toContain("second-post");
    expect(await (await request("/")).text()).not.toContain("Second post");
  });

  it("with prune, also removes articles that came through the admin API", async () => {
    await publish([FIRST]);
    const put = await request("/api/articles/from-the-api", {
      method: "PUT",
      headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
      body: JSON.stringify({ title: "From the API", content: "Text.", publishedAt: "2024-04-01T00:00:00Z" }),
    });
    expect(put.status).toBe(201);
    const { progress } = await publish([FIRST], { prune: true });
    expect(progress.map((p) => `${p.action} ${p.slug}`)).toEqual(["unchanged first-post", "deleted from-the-api"]);
    expect(await feedItemIds("/feed.json")).toEqual(["first-post"]);
  });

  it("heals a feed index that an interrupted run left behind", async () => {
    await publish([FIRST, SECOND]);
    await env.ARTICLES.delete("catalog:tag:extra");
    await env.ARTICLES.delete("scope:tag:extra");
    expect((await request("/tags/extra/feed.json")).status).toBe(404);
    const { result } = await publish([FIRST, SECOND]);
    expectPublished(result);
    expect(result.indexes.rewritten).toEqual(["tag:extra"]);
    expect(await feedItemIds("/tags/extra/feed.json")).toEqual(["second-post"]);
  });
});

/**
 * `wrangler kv …` as the remote adapter calls it, answered from the Worker's own KV, with every
 * command recorded. Missing keys fail with the 404 wrangler reports for the remote API.
 */
function fakeWrangler(kv: KVNamespace = env.ARTICLES) {
  const commands: { args: string[]; file?: unknown }[] = [];
  const run = async (args: string[], file?: string): Promise<CommandResult> => {
    commands.push(file === undefined ? { args } : { args, file: JSON.parse(file) });
    const [, verb, action, key] = args;
    if (verb === "key" && action === "list") {
      const keys = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list(cursor ? { cursor } : {});
        keys.push(...page.keys.map(({ name, metadata }) => (metadata === null ? { name } : { name, metadata })));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return { ok: true, stdout: `${JSON.stringify(keys, null, 2)}\n`, stderr: "" };
    }
    if (verb === "key" && action === "get") {
      const value = await kv.get(key as string, "text");
      if (value === null)
        return { ok: false, stdout: "", stderr: "✘ [ERROR] Failed to fetch …/values/x - 404: Not Found\n" };
      return { ok: true, stdout: value, stderr: "" };
    }
    if (verb === "bulk" && action === "put") {
      for (const pair of JSON.parse(file as string) as { key: string; value: string; metadata?: unknown }[]) {
        await kv.put(pair.key, pair.value, pair.metadata === undefined ? {} : { metadata: pair.metadata });
      }
      return { ok: true, stdout: "Success!\n", stderr: "" };
    }
    if (verb === "bulk" && action === "delete") {
      for (const name of JSON.parse(file as string) as string[]) await kv.delete(name);
      return { ok: true, stdout: "Success!\n", stderr: "" };
    }
    return { ok: false, stdout: "", stderr: `unknown command ${args.join(" ")}` };
  };
  return { run, commands };
}

const remoteKv = (run: ReturnType<typeof fakeWrangler>["run"]) =>
  new WranglerKv(run, { binding: "ARTICLES", target: ["--remote"] });

describe("publishing through wrangler's kv commands (--remote)", () => {
  beforeEach(async () => {
    await resetStore();
  });

  it("sends nothing until flushed, then one bulk put and one forced bulk delete for the binding", async () => {
    const { run, commands } = fakeWrangler();
    await env.ARTICLES.put("old", "x");
    const kv = remoteKv(run);
    await kv.put("a", "1", { metadata: { h: "abc" } });
    await kv.put("b", "2");
    await kv.delete("old");
    await kv.put("c", "3");
    await kv.delete("c");
    expect(commands).toEqual([]);

    expect(await kv.flush()).toEqual({ put: 2, deleted: 2 });
    expect(commands).toEqual([
      {
        args: ["kv", "bulk", "put", "--binding", "ARTICLES", "--remote"],
        file: [
          { key: "a", value: "1", metadata: { h: "abc" } },
          { key: "b", value: "2" },
        ],
      },
      { args: ["kv", "bulk", "delete", "--force", "--binding", "ARTICLES", "--remote"], file: ["old", "c"] },
    ]);
    expect(await env.ARTICLES.getWithMetadata("a")).toMatchObject({ value: "1", metadata: { h: "abc" } });
    expect(await env.ARTICLES.get("old")).toBeNull();
  });

  it("reads its own buffered writes, in values and in listings", async () => {
    const { run } = fakeWrangler();
    await env.ARTICLES.put("article:kept", "k", { metadata: { p: "x" } });
    await env.ARTICLES.put("article:dropped", "d");
    const kv = remoteKv(run);
    await kv.put("article:new", "n", { metadata: { p: "y" } });
    await kv.delete("article:dropped");

    expect(await kv.get("article:new", "text")).toBe("n");
    expect(await kv.get("article:dropped", "text")).toBeNull();
    expect(await kv.get("article:kept", "text")).toBe("k");
    expect(await kv.get("article:never", "text")).toBeNull();
    expect(await kv.list({ prefix: "article:" })).toEqual({
      keys: [
        { name: "article:kept", metadata: { p: "x" } },
        { name: "article:new", metadata: { p: "y" } },
      ],
      list_complete: true,
    });
  });

  it("reads a key that vanished after the listing as missing, and fails loudly on any other error", async () => {
    await env.ARTICLES.put("k", "v");
    const { run } = fakeWrangler();
    const kv = remoteKv(run);
    await kv.list({ prefix: "" });
    await env.ARTICLES.delete("k");
    expect(await kv.get("k", "text")).toBeNull();

    const failing = remoteKv(async () => ({ ok: false, stdout: "", stderr: "✘ [ERROR] You are not logged in." }));
    await expect(failing.get("k", "text")).rejects.toThrow(
      /kv key list --binding ARTICLES --remote failed:\n.*not logged in/,
    );
  });

  it("publishes the seed so that the Worker serves it, and a second run sends no write at all", async () => {
    const first = fakeWrangler();
    const kv = remoteKv(first.run);
    const { result } = await publish([SEED, FIRST], { kv });
    expectPublished(result);
    await kv.flush();
    expect(first.commands.filter((c) => c.args[1] === "bulk").map((c) => c.args[2])).toEqual(["put"]);
    expect(await feedItemIds("/feed.json")).toEqual([SEED_SLUG, "first-post"]);
    expect(await feedItemIds("/tags/russia/feed.json")).toEqual([SEED_SLUG]);

    const again = fakeWrangler();
    const kv2 = remoteKv(again.run);
    const second = await publish([SEED, FIRST], { kv: kv2 });
    expectPublished(second.result);
    expect(await kv2.flush()).toEqual({ put: 0, deleted: 0 });
    expect(again.commands.filter((c) => c.args[1] === "bulk")).toEqual([]);
  });

  it("prunes through bulk delete, after the indexes stop naming the article", async () => {
    await publish([FIRST, SECOND]);
    const { run, commands } = fakeWrangler();
    const kv = remoteKv(run);
    const { result } = await publish([FIRST], { kv, prune: true });
    expectPublished(result);
    await kv.flush();
    const deleted = commands.find((c) => c.args[2] === "delete")?.file;
    expect(deleted).toEqual(expect.arrayContaining(["article:second-post", "scope:tag:extra"]));
    expect(await feedItemIds("/feed.json")).toEqual(["first-post"]);
    expect((await request("/tags/extra")).status).toBe(404);
  });
});
