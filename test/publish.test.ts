// The publish command's core as a publisher uses it: content files through the site's own admin
// API, all validated before anything is sent, unchanged files skipped, batches of bounded size.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../src/index.ts";
import { formatIssue, publishContent, type SourceFile } from "../src/publish/client.ts";
import { articleInput, ORIGIN, request, resetStore, SEED_FILE, SEED_SLUG, seedText, settle } from "./helpers.ts";

const TOKEN = "test-admin-token";

/** The site as the command reaches it, recording every request it sends. */
function site() {
  const sent: string[] = [];
  let answer: ((request: Request) => Response | null) | null = null;
  const target = {
    origin: ORIGIN,
    token: TOKEN,
    async fetch(req: Request) {
      sent.push(`${req.method} ${new URL(req.url).pathname}`);
      const canned = answer?.(req);
      if (canned) return canned;
      const ctx = createExecutionContext();
      const response = await app.fetch(req, env, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    },
  };
  return { target, sent, answerWith: (fn: typeof answer) => (answer = fn) };
}

const file = (slug: string, front: Record<string, unknown>, body = "Body text."): SourceFile => ({
  name: `content/${slug}.md`,
  text: `---\n${Object.entries(front)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join("\n")}\n---\n${body}\n`,
});

const seed = (): SourceFile => ({ name: `content/${SEED_FILE}`, text: seedText });

async function publish(files: SourceFile[], options: Parameters<typeof publishContent>[2] = {}) {
  const s = site();
  const result = await publishContent(s.target, files, { retryDelayMs: 10, ...options });
  await settle();
  return { result, sent: s.sent };
}

const titles = async (path = "/feed.json") =>
  ((await (await request(path)).json()) as { items: { title: string }[] }).items.map((i) => i.title);

beforeEach(async () => {
  await resetStore();
});

describe("the publish command's core", () => {
  it("reports every problem with its file and field, and sends nothing when one file is invalid", async () => {
    const { result, sent } = await publish([
      file("good", { title: "Good", publishedAt: "2024-01-01T00:00:00Z" }),
      file("bad", { title: "", publishedAt: "yesterday", colour: "red" }),
      { name: "content/Not A Slug.md", text: "no front matter" },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual([
      "content/bad.md: title: must not be empty",
      "content/bad.md: publishedAt: must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z",
      "content/bad.md: colour: is not a known field",
      "content/Not A Slug.md: slug: the file name must be a slug (^[a-z0-9]+(?:-[a-z0-9]+)*$) followed by .md",
      "content/Not A Slug.md: must start with YAML front matter between --- lines",
    ]);
    expect(sent).toEqual(["GET /api/articles"]);
    expect((await request("/api/articles/good")).status).toBe(404);
  });

  it("refuses two files that would become the same article", async () => {
    const a = file("same", { title: "A", publishedAt: "2024-01-01T00:00:00Z" });
    const { result } = await publish([a, { ...a, name: "other/same.md" }]);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      "other/same.md: slug: is also the slug of content/same.md",
    ]);
  });

  it("publishes the real seed file from content/ so that every feed and page carries it", async () => {
    const { result, sent } = await publish([seed()]);
    expect(result).toEqual({ ok: true, counts: { created: 1, updated: 0, unchanged: 0, deleted: 0 }, batches: 1 });
    expect(sent).toEqual(["GET /api/articles", "POST /api/batch"]);
    for (const path of ["/feed.json", "/tags/russia/feed.json"]) expect((await titles(path))[0]).toMatch(/^ISIS-K/);
    expect((await request(`/articles/${SEED_SLUG}`)).status).toBe(200);
  });

  it("stores the same record the admin API stores for the same input", async () => {
    await publish([seed()]);
    const published = (await (await request(`/api/articles/${SEED_SLUG}`)).json()) as Record<string, unknown>;
    await request(`/api/articles/${SEED_SLUG}`, { method: "DELETE", headers: { Authorization: `Bearer ${TOKEN}` } });
    const { input } = await import("../src/publish/content.ts").then((m) => {
      const parsed = m.parseContentFile(SEED_FILE, seedText);
      if (!parsed.ok) throw new Error("seed does not parse");
      return parsed.value;
    });
    await request("/api/articles/second-copy", {
      method: "PUT",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(input),
    });
    const put = (await (await request("/api/articles/second-copy")).json()) as Record<string, unknown>;
    expect(put.html).toBe((published.html as string).replaceAll(`/articles/${SEED_SLUG}`, "/articles/second-copy"));
    expect(put.summary).toBe(published.summary);
    expect(put.tags).toEqual(published.tags);
  });

  it("sends nothing at all when run a second time with the same files", async () => {
    await publish([seed()]);
    const { result, sent } = await publish([seed()]);
    expect(result).toMatchObject({
      ok: true,
      counts: { created: 0, updated: 0, unchanged: 1, deleted: 0 },
      batches: 0,
    });
    expect(sent).toEqual(["GET /api/articles"]);
  });

  it("updates only the edited article, keeping its id and publication date", async () => {
    await publish([seed(), file("other", { title: "Other", publishedAt: "2024-02-01T00:00:00Z" })]);
    const before = (await (await request("/api/articles/other")).json()) as { id: string };
    const { result } = await publish([seed(), file("other", { title: "Other, edited" })]);
    expect(result).toMatchObject({ ok: true, counts: { created: 0, updated: 1, unchanged: 1 } });
    const after = (await (await request("/api/articles/other")).json()) as {
      id: string;
      publishedAt: string;
      title: string;
    };
    expect(after).toMatchObject({ id: before.id, publishedAt: "2024-02-01T00:00:00Z", title: "Other, edited" });
  });

  it("needs publishedAt only for an article the site does not hold yet", async () => {
    const { result } = await publish([file("undated", { title: "Undated" })]);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual(["content/undated.md: publishedAt: is required"]);
  });

  it("leaves articles without a file alone unless told to prune, and then removes them everywhere", async () => {
    await publish([seed(), file("stays", { title: "Stays", publishedAt: "2024-01-01T00:00:00Z", tags: ["Kept"] })]);
    await request("/api/articles/via-api", {
      method: "PUT",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(articleInput({ title: "Via the API", tags: ["Kept"] })),
    });
    await publish([seed()]);
    expect(await titles("/tags/kept/feed.json")).toEqual(["Via the API", "Stays"]);
    const { result } = await publish([seed()], { prune: true });
    expect(result).toMatchObject({ ok: true, counts: { deleted: 2, unchanged: 1 } });
    expect((await request("/tags/kept")).status).toBe(404);
    expect((await request("/articles/stays")).status).toBe(410);
    expect((await request("/articles/via-api")).status).toBe(410);
  });

  it("splits many files into batches of at most 100 articles, and of bounded bytes", async () => {
    const many = Array.from({ length: 210 }, (_, i) =>
      file(`note-${i}`, { title: `Note ${i}`, publishedAt: `2024-01-01T00:${String(i % 60).padStart(2, "0")}:00Z` }),
    );
    const { result, sent } = await publish(many);
    expect(result).toMatchObject({ ok: true, counts: { created: 210 }, batches: 3 });
    expect(sent.filter((s) => s === "POST /api/batch")).toHaveLength(3);
    await resetStore();
    const bytes = await publish(many.slice(0, 10), { batchBytes: 400 });
    // About 100 bytes of JSON a file: four files fill a batch of 400.
    expect(bytes.result).toMatchObject({ ok: true, counts: { created: 10 }, batches: 3 });
    expect(bytes.sent.filter((s) => s === "POST /api/batch")).toHaveLength(3);
  });

  it("waits and retries while the site is busy (503 with Retry-After), then goes on", async () => {
    const s = site();
    let refused = 0;
    s.answerWith((req) => {
      if (req.method === "POST" && refused++ === 0) {
        return new Response("{}", { status: 503, headers: { "Retry-After": "1" } });
      }
      return null;
    });
    const result = await publishContent(s.target, [seed()], { retryDelayMs: 10 });
    await settle();
    expect(result.ok).toBe(true);
    expect(s.sent.filter((x) => x === "POST /api/batch")).toHaveLength(2);
  });

  it("fails loudly on a wrong token", async () => {
    const s = site();
    await expect(publishContent({ ...s.target, token: "wrong" }, [seed()])).rejects.toThrow(/refused the admin token/);
  });
});
