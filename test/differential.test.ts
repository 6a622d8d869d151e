// Our serialisers against the `feed` package (the design card's choice, kept as the reference):
// the same items, read back by an independent parser, must say the same things. What may differ
// is only what we changed on purpose, and each such difference is asserted here.
import { parseFeed } from "@rowanmanning/feed-parser";
import { Feed } from "feed";
import { describe, expect, it } from "vitest";
import { type ArticleEntry, modifiedAt, toEntry } from "../src/article/model.ts";
import { articleFromInput } from "../src/article/prepare.ts";
import { parseContentFile } from "../src/publish/content.ts";
import { renderAtom } from "../src/render/atom.ts";
import { buildJsonFeed } from "../src/render/json-feed.ts";
import { renderRss } from "../src/render/rss.ts";
import { absolutizeHtml, articleUrl, feedUrl } from "../src/render/urls.ts";
import { authorsOf, buildFeedView, type FeedView, homeUrl } from "../src/render/view.ts";
import type { Site } from "../src/site.ts";
import { textOf } from "./feed-text.ts";
import { headFor } from "./golden/fixture.ts";
import { SEED_FILE, seedText } from "./helpers.ts";

const site: Site = {
  origin: "https://news.example",
  title: "World Brief",
  description: "Plain-spoken analysis of security & international affairs.",
  language: "en",
  author: "World Brief Editors",
  pageSize: 20,
  hub: "https://hub.example/",
  isolateMemory: true,
  kvWriteIntervalMs: 1000,
};

async function entry(slug: string, input: Record<string, unknown>): Promise<ArticleEntry> {
  const prepared = await articleFromInput(slug, input, null);
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.issues));
  return toEntry(prepared.value);
}

async function fixtureView(): Promise<FeedView> {
  const seedFile = parseContentFile(SEED_FILE, seedText);
  if (!seedFile.ok) throw new Error("seed file does not parse");
  const entries = [
    await entry("tom-and-jerry", {
      title: "Tom & Jerry: 1 < 2 ]]> 🎉 שלום עולם",
      summary: "Cats & mice, 3 > 2, مرحبا.",
      content: "A [relative link](/articles/other) and ![a map](map.png).\n\nשלום & 🎉",
      publishedAt: "2024-06-01T10:00:00+02:00",
      updatedAt: "2024-06-02T10:00:00Z",
      authors: [{ name: "Ann Example", url: "https://ann.example/" }, { name: "Carl Example" }],
      tags: ["Middle East", "Q&A"],
    }),
    await entry(seedFile.value.slug, seedFile.value.input),
    await entry("plain", { title: "Plain", content: "Body text.", publishedAt: "2024-04-01T00:00:00Z" }),
  ];
  return buildFeedView(site, null, 1, headFor(entries, { split: entries.length }), entries);
}

/** The same view through the `feed` package, mapped field for field. */
function referenceFeed(view: FeedView): Feed {
  const feed = new Feed({
    id: homeUrl(view),
    title: view.title,
    description: view.description,
    link: homeUrl(view),
    language: site.language,
    // Given explicitly: feed@6 otherwise falls back to the clock.
    updated: new Date(view.updated as string),
    generator: false,
    feedLinks: {
      rss: feedUrl(site.origin, null, "rss"),
      atom: feedUrl(site.origin, null, "atom"),
      json: feedUrl(site.origin, null, "json"),
    },
    author: { name: site.author },
    hub: site.hub as string,
  });
  for (const e of view.entries) {
    feed.addItem({
      title: e.title,
      id: e.id,
      guid: e.id,
      link: articleUrl(site.origin, e.slug),
      description: e.summary as string,
      content: absolutizeHtml(e.html, site.origin),
      date: new Date(modifiedAt(e)),
      published: new Date(e.publishedAt),
      author: authorsOf(view, e).map((a) => (a.url ? { name: a.name, link: a.url } : { name: a.name })),
      category: e.tags.map((name) => ({ name, term: name })),
    });
  }
  return feed;
}

/** What a reader takes from an RSS or Atom document. */
function readItems(xml: string) {
  const feed = parseFeed(xml);
  return {
    title: feed.title,
    url: feed.url,
    language: feed.language,
    items: feed.items.map((item) => ({
      id: item.id,
      title: item.title,
      url: item.url,
      published: item.published?.toISOString(),
      updated: item.updated?.toISOString(),
      summary: textOf(item.description ?? ""),
      content: textOf(item.content ?? ""),
      authors: item.authors.map((a) => a.name),
      categories: item.categories.map((c) => c.term),
    })),
  };
}

describe("differential: our serialisers read back like the feed package's", () => {
  it("RSS: same titles, links, guids, dates, authors, tags, summaries and content text", async () => {
    const view = await fixtureView();
    const ours = renderRss(view);
    const theirs = referenceFeed(view).rss2();
    expect(readItems(ours)).toEqual(readItems(theirs));
    expect(readItems(ours).items).toHaveLength(3);
  });

  it("Atom: same ids, titles, links, published and updated dates, authors, tags, summaries and content text", async () => {
    const view = await fixtureView();
    const ours = readItems(renderAtom(view));
    const theirs = readItems(referenceFeed(view).atom1());
    // Documented difference: feed@6 does not declare the feed's language in Atom (xml:lang).
    expect([ours.language, theirs.language]).toEqual(["en", null]);
    expect({ ...ours, language: null }).toEqual(theirs);
    expect(ours.items.map((i) => [i.published, i.updated])).toContainEqual([
      "2024-06-01T08:00:00.000Z",
      "2024-06-02T10:00:00.000Z",
    ]);
  });

  it("JSON Feed: the same items, ours in version 1.1 and feed@6's in 1.0", async () => {
    const view = await fixtureView();
    const ours = buildJsonFeed(view);
    const theirs = JSON.parse(referenceFeed(view).json1());
    const comparable = (item: Record<string, unknown>) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      summary: item.summary,
      content: textOf(String(item.content_html)),
      published: new Date(String(item.date_published)).toISOString(),
      modified: new Date(String(item.date_modified)).toISOString(),
      tags: item.tags ?? [],
    });
    expect(ours.items.map(comparable)).toEqual(theirs.items.map(comparable));
    expect([ours.title, ours.home_page_url, ours.feed_url]).toEqual([
      theirs.title,
      theirs.home_page_url,
      theirs.feed_url,
    ]);

    // Documented difference: 1.1 with `authors` (arrays) and `language`; feed@6 writes 1.0's `author`.
    expect(ours.version).toBe("https://jsonfeed.org/version/1.1");
    expect(theirs.version).toBe("https://jsonfeed.org/version/1");
    expect(ours.items[0]?.authors).toEqual([
      { name: "Ann Example", url: "https://ann.example/" },
      { name: "Carl Example" },
    ]);
    expect(theirs.items[0].author).toEqual({ name: "Ann Example", url: "https://ann.example/" });
    expect(ours.language).toBe("en");
    expect(theirs).not.toHaveProperty("language");
  });

  it("differs in the raw XML only as documented: escaping instead of CDATA, dc:creator instead of a bare-name <author>", async () => {
    const view = await fixtureView();
    const ours = renderRss(view);
    const theirs = referenceFeed(view).rss2();
    expect(theirs).toContain("<![CDATA[Tom & Jerry: 1 < 2 ]]]]><![CDATA[>");
    expect(ours).not.toContain("CDATA");
    expect(ours).toContain("<title>Tom &amp; Jerry: 1 &lt; 2 ]]&gt; 🎉 שלום עולם</title>");
    // RSS 2.0's <author> must be an email address; names belong in dc:creator.
    expect(theirs).toContain("<author>Ann Example</author>");
    expect(ours).not.toContain("<author>");
    expect(ours).toContain("<dc:creator>Ann Example</dc:creator><dc:creator>Carl Example</dc:creator>");

    const oursAtom = renderAtom(view);
    const theirsAtom = referenceFeed(view).atom1();
    expect(theirsAtom).toContain('<title type="html"><![CDATA[Tom & Jerry: 1 < 2');
    expect(oursAtom).toContain('<title type="text">Tom &amp; Jerry: 1 &lt; 2 ]]&gt; 🎉 שלום עולם</title>');
  });
});
