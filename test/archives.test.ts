// RFC 5005 §4 archived feeds and RFC 6721 tombstones, as a reader walking them sees them: every
// article exactly once, full archives that never change, a deletion announced and answered 410.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { XMLParser } from "fast-xml-parser";
import { beforeEach, describe, expect, it } from "vitest";
import { ARCHIVE_SIZE } from "../src/writer/membership.ts";
import { articleInput, request, resetStore, settle, storeArticle, storeArticles, writer } from "./helpers.ts";

const AUTH = { Authorization: "Bearer test-admin-token" };
/** The writer's page size (wrangler.toml) and archive size: 100 articles make one full archive. */
const PAGE = 20;
const COUNT = 100;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  isArray: (n) => ["entry", "link"].includes(n),
});
type Node = Record<string, unknown>;

const slugOf = (i: number) => `report-${String(i).padStart(3, "0")}`;
/** Article i was published on day i: report-000 is the oldest. */
const dateOf = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");

async function storeReports(count: number): Promise<void> {
  for (let from = 0; from < count; from += 50) {
    const batch: Record<string, Record<string, unknown>> = {};
    for (let i = from; i < Math.min(from + 50, count); i++) {
      batch[slugOf(i)] = articleInput({ title: `Report ${i}`, publishedAt: dateOf(i), tags: ["Reports"] });
    }
    await storeArticles(batch);
  }
}

async function atom(
  path: string,
): Promise<{ response: Response; feed: Node; links: Record<string, string>; slugs: string[] }> {
  const response = await request(path);
  expect(response.status, path).toBe(200);
  const feed = xml.parse(await response.clone().text()).feed as Node;
  const links: Record<string, string> = {};
  for (const link of (feed.link ?? []) as Node[]) links[String(link["@rel"])] = String(link["@href"]);
  const slugs = ((feed.entry ?? []) as Node[]).map((e) =>
    String(((e.link as Node[]).find((l) => l["@rel"] === "alternate") as Node)["@href"]).replace(/^.*\/articles\//, ""),
  );
  return { response, feed, links, slugs };
}

/** Walks the subscription feed and its prev-archive chain, as RFC 5005 §4 says a reader does. */
async function walk(start: string): Promise<{ documents: string[]; slugs: string[] }> {
  const documents: string[] = [];
  const slugs: string[] = [];
  let next: string | undefined = start;
  while (next) {
    const path: string = new URL(next, "https://news.example").pathname;
    documents.push(path);
    const doc = await atom(path);
    slugs.push(...doc.slugs);
    next = doc.links["prev-archive"];
  }
  return { documents, slugs };
}

beforeEach(async () => {
  await resetStore();
  await storeReports(COUNT);
});

describe("archived feeds", () => {
  it("lead a reader from the feed through every archive to the oldest article, each article once", async () => {
    expect(ARCHIVE_SIZE).toBe(50);
    const { documents, slugs } = await walk("/atom.xml");
    expect(documents).toEqual(["/atom.xml", "/archives/2/atom.xml", "/archives/1/atom.xml"]);
    expect(slugs).toHaveLength(COUNT);
    expect(new Set(slugs).size).toBe(COUNT);
    expect(slugs.at(-1)).toBe(slugOf(0));
    const tag = await walk("/tags/reports/atom.xml");
    expect(new Set(tag.slugs).size).toBe(COUNT);
  });

  it("mark archives with fh:archive, link current, prev and next, and keep full ones for a year", async () => {
    const full = await atom("/archives/1/atom.xml");
    expect(full.feed["fh:archive"]).toBe("");
    expect(full.links.current).toBe("https://news.example/atom.xml");
    expect(full.links["next-archive"]).toBe("https://news.example/archives/2/atom.xml");
    expect(full.links["prev-archive"]).toBeUndefined();
    expect(full.slugs).toHaveLength(ARCHIVE_SIZE);
    expect(full.response.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(full.response.headers.get("Cache-Tag")).toBe("site,s:all:1");
    const open = await atom("/archives/2/atom.xml");
    expect(open.slugs).toHaveLength(COUNT - ARCHIVE_SIZE - PAGE);
    expect(open.links["prev-archive"]).toBe("https://news.example/archives/1/atom.xml");
    expect(open.response.headers.get("Cache-Control")).toMatch(/^public, max-age=300/);
    expect((await request("/archives/3/atom.xml")).status).toBe(404);
  });

  it("exist in RSS and JSON Feed too; JSON Feed's next_url walks the archives", async () => {
    const rss = await (await request("/archives/1/rss.xml")).text();
    expect(rss).toContain("<fh:archive/>");
    expect(rss).toContain('rel="next-archive"');
    const feed = (await (await request("/feed.json")).json()) as Record<string, unknown>;
    expect(feed._rfc5005).toMatchObject({ "prev-archive": "https://news.example/archives/2/feed.json" });
    const archive = (await (await request("/archives/2/feed.json")).json()) as Record<string, unknown>;
    expect(archive).toMatchObject({
      next_url: "https://news.example/archives/1/feed.json",
      _rfc5005: { archive: true, current: "https://news.example/feed.json" },
    });
  });

  it("never change when a new article is published", async () => {
    const before = await request("/archives/1/atom.xml");
    await storeArticle("newest", articleInput({ publishedAt: dateOf(COUNT + 1) }));
    const after = await request("/archives/1/atom.xml", {
      headers: { "If-None-Match": before.headers.get("ETag") as string },
    });
    expect(after.status).toBe(304);
  });

  it("take a backdated article into the one archive its date falls in, leaving the others alone", async () => {
    const page = await request("/atom.xml");
    const one = await request("/archives/1/atom.xml");
    await storeArticle("found-in-a-drawer", articleInput({ publishedAt: dateOf(10).replace("T00", "T12") }));
    const oneAfter = await atom("/archives/1/atom.xml");
    expect(oneAfter.response.headers.get("ETag")).not.toBe(one.headers.get("ETag"));
    expect(oneAfter.slugs).toContain("found-in-a-drawer");
    const { slugs } = await walk("/atom.xml");
    expect(slugs.filter((s) => s === "found-in-a-drawer")).toHaveLength(1);
    // Page 1 still shows the same articles, but its Last-Modified moved: the feed as a whole changed.
    const pageAfter = await request("/atom.xml", {
      headers: { "If-Modified-Since": page.headers.get("Last-Modified") as string },
    });
    expect(pageAfter.status).toBe(200);
  });

  it("rewrite exactly one archive when an archived article is edited or deleted", async () => {
    const one = await request("/archives/1/atom.xml");
    const two = await request("/archives/2/atom.xml");
    await storeArticle(
      slugOf(5),
      articleInput({ title: "Report 5, corrected", publishedAt: dateOf(5), tags: ["Reports"] }),
    );
    expect((await request("/archives/1/atom.xml")).headers.get("ETag")).not.toBe(one.headers.get("ETag"));
    expect((await request("/archives/2/atom.xml")).headers.get("ETag")).toBe(two.headers.get("ETag"));
    await request(`/api/articles/${slugOf(6)}`, { method: "DELETE", headers: AUTH });
    const { slugs } = await walk("/atom.xml");
    expect(slugs).not.toContain(slugOf(6));
    expect(slugs).toHaveLength(COUNT - 1);
  });

  it("serve deep pages from the archives, each article on exactly one page", async () => {
    const seen: string[] = [];
    for (let page = 1; page <= COUNT / PAGE; page++) {
      const doc = await atom(page === 1 ? "/atom.xml" : `/atom.xml?page=${page}`);
      seen.push(...doc.slugs);
    }
    expect(seen).toEqual(Array.from({ length: COUNT }, (_, i) => slugOf(COUNT - 1 - i)));
  });
});

describe("deletions", () => {
  it("answer 410 on the page and the API, and appear as RFC 6721 tombstones in the Atom feeds", async () => {
    const id = ((await (await request(`/api/articles/${slugOf(99)}`)).json()) as { id: string }).id;
    await request(`/api/articles/${slugOf(99)}`, { method: "DELETE", headers: AUTH });
    expect((await request(`/articles/${slugOf(99)}`)).status).toBe(410);
    expect((await request(`/api/articles/${slugOf(99)}`)).status).toBe(410);
    for (const path of ["/atom.xml", "/tags/reports/atom.xml"]) {
      const text = await (await request(path)).text();
      expect(text).toContain('xmlns:at="http://purl.org/atompub/tombstones/1.0"');
      expect(text).toMatch(new RegExp(`<at:deleted-entry ref="${id}" when="\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z"/>`));
    }
    expect(await (await request("/atom.xml?page=2")).text()).not.toContain("deleted-entry");
  });

  it("drop the tombstone from the feeds after 30 days, while the page stays 410", async () => {
    await request(`/api/articles/${slugOf(99)}`, { method: "DELETE", headers: AUTH });
    await runInDurableObject(writer(), (_instance, state) => {
      state.storage.sql.exec("UPDATE tombstones SET deleted = '2020-01-01T00:00:00Z'");
    });
    // The writer's next turn finds it 30 days old.
    await runDurableObjectAlarm(writer());
    await settle();
    expect(await (await request("/atom.xml")).text()).not.toContain("deleted-entry");
    expect((await request(`/articles/${slugOf(99)}`)).status).toBe(410);
  });

  it("free the slug for a new article with a new id; the old id's tombstone stays", async () => {
    const old = ((await (await request(`/api/articles/${slugOf(99)}`)).json()) as { id: string }).id;
    await request(`/api/articles/${slugOf(99)}`, { method: "DELETE", headers: AUTH });
    const reused = await storeArticle(slugOf(99), articleInput({ title: "A new article", publishedAt: dateOf(99) }));
    expect(reused.id).not.toBe(old);
    expect((await request(`/articles/${slugOf(99)}`)).status).toBe(200);
    const text = await (await request("/atom.xml")).text();
    expect(text).toContain(`ref="${old}"`);
    expect(text).toContain(`<id>${reused.id}</id>`);
  });
});
