// The three feeds as independent readers see them: valid, complete, and telling the same story
// as the HTML pages.
import { parseFeed } from "@rowanmanning/feed-parser";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeEach, describe, expect, it } from "vitest";
import type { Article } from "../src/article/model.ts";
import { decodeEntities, jsonFeedProblems, RFC822, RFC3339, textOf, urlsIn } from "./feed-text.ts";
import {
  articleInput,
  ORIGIN,
  request,
  requestWithEnv,
  resetStore,
  SEED_SLUG,
  seedParagraphs,
  storeArticle,
  storeArticles,
  storeSeed,
} from "./helpers.ts";

const FEED_TYPES = {
  "rss.xml": "application/rss+xml; charset=utf-8",
  "atom.xml": "application/atom+xml; charset=utf-8",
  "feed.json": "application/feed+json; charset=utf-8",
} as const;

const SEED_URL = `${ORIGIN}/articles/${SEED_SLUG}`;
const ADMIN = { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" };

// fast-xml-parser leaves numeric references alone unless asked; a conforming XML parser decodes them.
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  htmlEntities: true,
  isArray: (name) => ["item", "entry", "link", "atom:link", "category", "dc:creator", "author"].includes(name),
});

type XmlNode = Record<string, unknown>;
const at = (node: unknown, key: string) => (node as XmlNode)[key];
const list = (node: unknown, key: string) => ((node as XmlNode)[key] ?? []) as XmlNode[];
const textIn = (node: unknown): string =>
  typeof node === "object" && node !== null ? String(at(node, "#text") ?? "") : String(node ?? "");

async function body(path: string, init?: Parameters<typeof request>[1]): Promise<string> {
  const response = await request(path, init);
  expect(response.status, path).toBe(200);
  return response.text();
}

/** Parses a feed with both XML parsers, failing on any well-formedness error. */
function parseXmlFeed(text: string) {
  expect(XMLValidator.validate(text)).toBe(true);
  return { feed: parseFeed(text), tree: xml.parse(text) as XmlNode };
}

async function rss(path = "/rss.xml") {
  const { feed, tree } = parseXmlFeed(await body(path));
  const channel = at(at(tree, "rss"), "channel");
  return { feed, channel, items: list(channel, "item") };
}

async function atom(path = "/atom.xml") {
  const { feed, tree } = parseXmlFeed(await body(path));
  const root = at(tree, "feed");
  return { feed, root, entries: list(root, "entry") };
}

async function jsonFeed(path = "/feed.json", response?: Response) {
  const res = response ?? (await request(path));
  expect(res.status, path).toBe(200);
  const feed = JSON.parse(await res.text());
  expect(jsonFeedProblems(feed)).toEqual([]);
  return feed;
}

/** The feed's Last-Modified: the writer's record of when it last changed, which its own dates repeat. */
async function lastModified(path: string): Promise<Date> {
  const value = (await request(path, { method: "HEAD" })).headers.get("Last-Modified");
  expect(value, path).not.toBeNull();
  return new Date(value as string);
}

const rfc822Of = (date: Date) => date.toUTCString().replace(/GMT$/, "+0000");
const rfc3339Of = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** The links of an Atom document (or an RSS channel's atom:links) by rel. */
function linksByRel(node: unknown, key: "link" | "atom:link"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const link of list(node, key)) {
    if (typeof link === "object" && "@href" in link) out[String(link["@rel"] ?? "alternate")] = String(link["@href"]);
  }
  return out;
}

interface PageFacts {
  h1: string;
  canonical: string;
  published: string;
  updated: string | null;
  content: string;
}

/** Reads an article page with the runtime's own streaming HTML parser. */
async function readArticlePage(html: string): Promise<PageFacts> {
  const facts: PageFacts = { h1: "", canonical: "", published: "", updated: null, content: "" };
  let contentHtml = "";
  await new HTMLRewriter()
    .on("h1", {
      text(t) {
        facts.h1 += t.text;
      },
    })
    .on('link[rel="canonical"]', {
      element(e) {
        facts.canonical = e.getAttribute("href") ?? "";
      },
    })
    .on("time.dt-published", {
      element(e) {
        facts.published = e.getAttribute("datetime") ?? "";
      },
    })
    .on("time.dt-updated", {
      element(e) {
        facts.updated = e.getAttribute("datetime");
      },
    })
    .on(".e-content *", {
      element(e) {
        contentHtml += ` <${e.tagName}> `;
      },
    })
    .on(".e-content", {
      text(t) {
        contentHtml += t.text;
      },
    })
    .transform(new Response(html))
    .text();
  facts.h1 = decodeEntities(facts.h1).trim();
  facts.content = textOf(contentHtml);
  return facts;
}

/** The home page's entries: title, link and publication date of each, in page order. */
async function readListPage(html: string) {
  const entries: { title: string; url: string; published: string }[] = [];
  const current = () => entries[entries.length - 1] as (typeof entries)[number];
  await new HTMLRewriter()
    .on("article.h-entry", {
      element() {
        entries.push({ title: "", url: "", published: "" });
      },
    })
    .on("article.h-entry .p-name a", {
      element(e) {
        current().url = e.getAttribute("href") ?? "";
      },
      text(t) {
        current().title += t.text;
      },
    })
    .on("article.h-entry time.dt-published", {
      element(e) {
        current().published = e.getAttribute("datetime") ?? "";
      },
    })
    .transform(new Response(html))
    .text();
  return entries.map((e) => ({ ...e, title: decodeEntities(e.title).trim() }));
}

const rfc822 = (iso: string) => new Date(iso).toUTCString().replace(/GMT$/, "+0000");

let seed: Article;

beforeEach(async () => {
  await resetStore();
  seed = await storeSeed();
});

describe("every feed", () => {
  for (const scope of ["", "/tags/russia"]) {
    for (const [file, type] of Object.entries(FEED_TYPES)) {
      it(`${scope}/${file} answers 200 with ${type}`, async () => {
        const response = await request(`${scope}/${file}`);
        expect(response.status).toBe(200);
        expect(response.headers.get("Content-Type")).toBe(type);
        expect((await response.text()).length).toBeGreaterThan(0);
      });
    }
  }

  it("RSS declares its language, its self link and its build date, and parses in both parsers", async () => {
    const { feed, channel } = await rss();
    expect(feed.meta).toEqual({ type: "rss", version: "2.0" });
    expect(feed.language).toBe("en");
    expect(feed.self).toBe(`${ORIGIN}/rss.xml`);
    expect(feed.url).toBe(`${ORIGIN}/`);
    expect(at(channel, "language")).toBe("en");
    expect(linksByRel(channel, "atom:link").self).toBe(`${ORIGIN}/rss.xml`);
    // When the channel last changed (it was just published), not the newest article's date.
    expect(at(channel, "lastBuildDate")).toBe(rfc822Of(await lastModified("/rss.xml")));
  });

  it("Atom declares its language, its self and alternate links and its updated date", async () => {
    const { feed, root } = await atom();
    expect(feed.meta).toEqual({ type: "atom", version: "1.0" });
    expect(feed.language).toBe("en");
    expect(feed.self).toBe(`${ORIGIN}/atom.xml`);
    expect(at(root, "@xml:lang")).toBe("en");
    expect(at(root, "id")).toBe(`${ORIGIN}/`);
    expect(linksByRel(root, "link")).toMatchObject({ self: `${ORIGIN}/atom.xml`, alternate: `${ORIGIN}/` });
    expect(at(root, "updated")).toBe(rfc3339Of(await lastModified("/atom.xml")));
  });

  it("JSON Feed is version 1.1 with language, feed_url, home page and authors", async () => {
    const feed = await jsonFeed();
    expect(feed).toMatchObject({
      version: "https://jsonfeed.org/version/1.1",
      title: "World Brief",
      home_page_url: `${ORIGIN}/`,
      feed_url: `${ORIGIN}/feed.json`,
      language: "en",
      authors: [{ name: "World Brief Editors" }],
    });
    expect(feed).not.toHaveProperty("next_url");
    expect(feed).not.toHaveProperty("hubs");
  });
});

describe("the seed article", () => {
  it("has the same title, link, id and dates in RSS, Atom, JSON Feed and HTML", async () => {
    const { feed: rssFeed, items } = await rss();
    const rssItem = rssFeed.items[0];
    expect(rssFeed.items).toHaveLength(1);
    expect(rssItem?.title).toBe(seed.title);
    expect(rssItem?.url).toBe(SEED_URL);
    expect(rssItem?.id).toBe(seed.id);
    expect(rssItem?.published?.toISOString()).toBe("2024-05-17T00:00:00.000Z");
    expect(at(items[0], "pubDate")).toBe("Fri, 17 May 2024 00:00:00 +0000");
    expect(at(at(items[0], "guid"), "@isPermaLink")).toBe("false");

    const { feed: atomFeed, entries } = await atom();
    const atomEntry = atomFeed.items[0];
    expect(atomEntry?.title).toBe(seed.title);
    expect(atomEntry?.url).toBe(SEED_URL);
    expect(atomEntry?.id).toBe(seed.id);
    expect(at(entries[0], "published")).toBe("2024-05-17T00:00:00Z");
    expect(at(entries[0], "updated")).toBe("2024-05-17T00:00:00Z");

    const json = await jsonFeed();
    expect(json.items).toHaveLength(1);
    expect(json.items[0]).toMatchObject({
      id: seed.id,
      url: SEED_URL,
      title: seed.title,
      date_published: "2024-05-17T00:00:00Z",
      date_modified: "2024-05-17T00:00:00Z",
    });

    const page = await readArticlePage(await body(`/articles/${SEED_SLUG}`));
    expect(page.h1).toBe(seed.title);
    expect(page.canonical).toBe(SEED_URL);
    expect(page.published).toBe("2024-05-17T00:00:00Z");

    const home = await readListPage(await body("/"));
    expect(home).toEqual([{ title: seed.title, url: SEED_URL, published: "2024-05-17T00:00:00Z" }]);
  });

  it("has every paragraph of its text in every full-content representation", async () => {
    const paragraphs = seedParagraphs();
    expect(paragraphs.length).toBeGreaterThan(5);
    const { items } = await rss();
    const { entries } = await atom();
    const json = await jsonFeed();
    const page = await readArticlePage(await body(`/articles/${SEED_SLUG}`));
    const representations = {
      "RSS content:encoded": textOf(textIn(at(items[0], "content:encoded"))),
      "Atom content": textOf(textIn(at(entries[0], "content"))),
      "JSON Feed content_html": textOf(json.items[0].content_html),
      "HTML article page": page.content,
    };
    for (const [name, text] of Object.entries(representations)) {
      for (const paragraph of paragraphs) expect(text, name).toContain(paragraph);
    }
  });

  it("carries its summary and tags, as written, in every feed", async () => {
    const { feed: rssFeed } = await rss();
    const { feed: atomFeed } = await atom();
    const json = await jsonFeed();
    const tags = ["Russia", "ISIS-K", "Afghanistan", "Terrorism"];
    for (const item of [rssFeed.items[0], atomFeed.items[0]]) {
      expect(item?.description).toBe(seed.summary);
      expect(item?.categories.map((c) => c.term)).toEqual(tags);
      expect(item?.authors.map((a) => a.name)).toEqual(["World Brief Editors"]);
    }
    expect(json.items[0]).toMatchObject({ summary: seed.summary, tags, authors: [{ name: "World Brief Editors" }] });
  });
});

describe("dates", () => {
  it("are RFC 822 in RSS and RFC 3339 in Atom and JSON Feed, with the updated date where each format has one", async () => {
    await storeArticle(
      "revised",
      articleInput({ publishedAt: "2024-06-01T10:00:00+02:00", updatedAt: "2024-06-03T09:30:00Z" }),
    );
    const { channel, items } = await rss();
    expect(at(channel, "lastBuildDate")).toMatch(RFC822);
    expect(at(channel, "lastBuildDate")).toBe(rfc822Of(await lastModified("/rss.xml")));
    for (const item of items) expect(at(item, "pubDate")).toMatch(RFC822);
    expect(at(items[0], "pubDate")).toBe(rfc822("2024-06-01T08:00:00Z"));

    const { root, entries } = await atom();
    for (const date of [at(root, "updated"), ...entries.flatMap((e) => [at(e, "published"), at(e, "updated")])]) {
      expect(date).toMatch(RFC3339);
    }
    expect(at(root, "updated")).toBe(rfc3339Of(await lastModified("/atom.xml")));
    expect([at(entries[0], "published"), at(entries[0], "updated")]).toEqual([
      "2024-06-01T08:00:00Z",
      "2024-06-03T09:30:00Z",
    ]);

    const json = await jsonFeed();
    expect(json.items[0]).toMatchObject({
      date_published: "2024-06-01T08:00:00Z",
      date_modified: "2024-06-03T09:30:00Z",
    });

    const page = await readArticlePage(await body("/articles/revised"));
    expect([page.published, page.updated]).toEqual(["2024-06-01T08:00:00Z", "2024-06-03T09:30:00Z"]);
  });
});

describe("item ids", () => {
  it("stay the same when an article is edited through the API", async () => {
    const before = {
      rss: (await rss()).feed.items[0]?.id,
      atom: (await atom()).feed.items[0]?.id,
      json: (await jsonFeed()).items[0].id,
    };
    expect(before).toEqual({ rss: seed.id, atom: seed.id, json: seed.id });

    const edit = await request(`/api/articles/${SEED_SLUG}`, {
      method: "PUT",
      headers: ADMIN,
      body: JSON.stringify(
        articleInput({ title: "A corrected title", publishedAt: seed.publishedAt, updatedAt: "2024-05-20T08:00:00Z" }),
      ),
    });
    expect(edit.status).toBe(200);

    const rssItem = (await rss()).feed.items[0];
    const atomItem = (await atom()).feed.items[0];
    const jsonItem = (await jsonFeed()).items[0];
    expect([rssItem?.title, atomItem?.title, jsonItem.title]).toEqual([
      "A corrected title",
      "A corrected title",
      "A corrected title",
    ]);
    expect({ rss: rssItem?.id, atom: atomItem?.id, json: jsonItem.id }).toEqual(before);
    expect(atomItem?.updated?.toISOString()).toBe("2024-05-20T08:00:00.000Z");
  });
});

describe("URLs", () => {
  it("are absolute everywhere, including links and images inside the content", async () => {
    await storeArticle(
      "relative-links",
      articleInput({
        content:
          'See [the seed](/articles/isis-k-and-the-crocus-city-hall-attack), [a sibling](sibling) and ![a map](map.png).\n\n> quoted\n\n<q cite="/sources/1">q</q>',
        publishedAt: "2024-06-01T00:00:00Z",
      }),
    );
    const expected = [
      `${ORIGIN}/articles/isis-k-and-the-crocus-city-hall-attack`,
      `${ORIGIN}/articles/sibling`,
      `${ORIGIN}/articles/map.png`,
    ];

    const { items, channel } = await rss();
    const { entries, root } = await atom();
    const json = await jsonFeed();
    const contents = {
      rss: textIn(at(items[0], "content:encoded")),
      atom: textIn(at(entries[0], "content")),
      json: json.items[0].content_html as string,
    };
    for (const [format, html] of Object.entries(contents)) {
      expect(urlsIn(html), format).toEqual(expect.arrayContaining(expected));
      for (const url of urlsIn(html)) expect(url, format).toMatch(/^https:\/\/news\.example\//);
    }

    const feedUrls = [
      at(channel, "link"),
      ...Object.values(linksByRel(channel, "atom:link")),
      ...items.map((i) => at(i, "link")),
      ...Object.values(linksByRel(root, "link")),
      ...entries.flatMap((e) => Object.values(linksByRel(e, "link"))),
      json.home_page_url,
      json.feed_url,
      ...json.items.map((i: { url: string }) => i.url),
    ];
    for (const url of feedUrls) expect(String(url)).toMatch(/^https:\/\/news\.example\//);
  });
});

describe("WebSub", () => {
  const hub = { WEBSUB_HUB: "https://hub.example/" };

  it("every feed declares the hub when WEBSUB_HUB is set", async () => {
    for (const scope of ["", "/tags/russia"]) {
      const rssTree = xml.parse(await (await requestWithEnv(hub, `${scope}/rss.xml`)).text());
      expect(linksByRel(at(rssTree.rss, "channel"), "atom:link").hub).toBe("https://hub.example/");
      const atomTree = xml.parse(await (await requestWithEnv(hub, `${scope}/atom.xml`)).text());
      expect(linksByRel(atomTree.feed, "link").hub).toBe("https://hub.example/");
      const json = await jsonFeed("", await requestWithEnv(hub, `${scope}/feed.json`));
      expect(json.hubs).toEqual([{ type: "WebSub", url: "https://hub.example/" }]);
    }
  });

  it("no feed names a hub when none is set", async () => {
    expect(linksByRel((await rss()).channel, "atom:link")).not.toHaveProperty("hub");
    expect(linksByRel((await atom()).root, "link")).not.toHaveProperty("hub");
    expect(await jsonFeed()).not.toHaveProperty("hubs");
  });
});

describe("paging (RFC 5005)", () => {
  const small = { FEED_PAGE_SIZE: "2" };
  const slugs = ["a-one", "a-two", "a-three", "a-four", "a-five"];

  beforeEach(async () => {
    await resetStore();
    await storeArticles(
      Object.fromEntries(
        slugs.map((slug, i) => [
          slug,
          articleInput({ title: `Article ${i + 1}`, publishedAt: `2024-02-0${i + 1}T00:00:00Z` }),
        ]),
      ),
    );
  });

  const feedPage = (file: string, page: number) => `${ORIGIN}/${file}${page > 1 ? `?page=${page}` : ""}`;
  const query = (page: number) => (page > 1 ? `?page=${page}` : "");
  const expectedLinks = (file: string, page: number) => ({
    first: feedPage(file, 1),
    last: feedPage(file, 3),
    ...(page > 1 ? { previous: feedPage(file, page - 1) } : {}),
    ...(page < 3 ? { next: feedPage(file, page + 1) } : {}),
  });
  const pagingOnly = (links: Record<string, string>) =>
    Object.fromEntries(Object.entries(links).filter(([rel]) => ["first", "last", "previous", "next"].includes(rel)));

  it("RSS and Atom pages link first, previous, next and last, and together hold every article once", async () => {
    const seen: Record<string, string[]> = { rss: [], atom: [] };
    for (const page of [1, 2, 3]) {
      const rssText = await (await requestWithEnv(small, `/rss.xml${query(page)}`)).text();
      const { feed: rssFeed, tree: rssTree } = parseXmlFeed(rssText);
      const channelLinks = linksByRel(at(rssTree.rss, "channel"), "atom:link");
      expect(pagingOnly(channelLinks)).toEqual(expectedLinks("rss.xml", page));
      expect(channelLinks.self).toBe(feedPage("rss.xml", page));
      seen.rss?.push(...rssFeed.items.map((i) => i.title ?? ""));

      const atomText = await (await requestWithEnv(small, `/atom.xml${query(page)}`)).text();
      const { feed: atomFeed, tree: atomTree } = parseXmlFeed(atomText);
      const feedLinks = linksByRel(atomTree.feed, "link");
      expect(pagingOnly(feedLinks)).toEqual(expectedLinks("atom.xml", page));
      expect(feedLinks.self).toBe(feedPage("atom.xml", page));
      // Every page is a part of one logical feed, so it keeps the feed's id.
      expect(at(atomTree.feed, "id")).toBe(`${ORIGIN}/`);
      seen.atom?.push(...atomFeed.items.map((i) => i.title ?? ""));
    }
    const newestFirst = ["Article 5", "Article 4", "Article 3", "Article 2", "Article 1"];
    expect(seen).toEqual({ rss: newestFirst, atom: newestFirst });
  });

  it("JSON Feed pages give next_url until the last page", async () => {
    const pages = [];
    for (const page of [1, 2, 3])
      pages.push(await jsonFeed("", await requestWithEnv(small, `/feed.json${query(page)}`)));
    expect(pages.map((p) => p.next_url)).toEqual([feedPage("feed.json", 2), feedPage("feed.json", 3), undefined]);
    expect(pages.map((p) => p.feed_url)).toEqual([1, 2, 3].map((n) => feedPage("feed.json", n)));
    expect(pages.flatMap((p) => p.items.map((i: { title: string }) => i.title))).toEqual([
      "Article 5",
      "Article 4",
      "Article 3",
      "Article 2",
      "Article 1",
    ]);
  });
});

describe("tag feeds", () => {
  beforeEach(async () => {
    await storeArticles({
      "gulf-talks": articleInput({
        title: "Gulf talks",
        tags: ["Middle East", "Diplomacy"],
        publishedAt: "2024-06-02T00:00:00Z",
      }),
      "levant-report": articleInput({
        title: "Levant report",
        tags: ["Middle East"],
        publishedAt: "2024-06-01T00:00:00Z",
      }),
    });
  });

  it("hold only that tag's articles and show the tag as the publisher wrote it", async () => {
    const wanted = ["Gulf talks", "Levant report"];
    const { feed: rssFeed } = await rss("/tags/middle-east/rss.xml");
    expect(rssFeed.title).toBe("World Brief: Middle East");
    expect(rssFeed.self).toBe(`${ORIGIN}/tags/middle-east/rss.xml`);
    expect(rssFeed.url).toBe(`${ORIGIN}/tags/middle-east`);
    expect(rssFeed.items.map((i) => i.title)).toEqual(wanted);

    const { feed: atomFeed } = await atom("/tags/middle-east/atom.xml");
    expect(atomFeed.title).toBe("World Brief: Middle East");
    expect(atomFeed.self).toBe(`${ORIGIN}/tags/middle-east/atom.xml`);
    expect(atomFeed.items.map((i) => i.title)).toEqual(wanted);

    const json = await jsonFeed("/tags/middle-east/feed.json");
    expect(json.title).toBe("World Brief: Middle East");
    expect(json.feed_url).toBe(`${ORIGIN}/tags/middle-east/feed.json`);
    expect(json.items.map((i: { title: string }) => i.title)).toEqual(wanted);

    const russia = await jsonFeed("/tags/russia/feed.json");
    expect(russia.items.map((i: { id: string }) => i.id)).toEqual([seed.id]);
  });
});

describe("hostile text", () => {
  const title = "Tom & Jerry: 1 < 2, <b>bold ]]> end &amp; 🎉 שלום עולם";
  const summary = "Summary & <i>tags</i> ]]> 🎉 مرحبا";

  beforeEach(async () => {
    await storeArticle(
      "hostile",
      articleInput({
        title,
        summary,
        content:
          'Para <script>alert(1)</script> <iframe src="https://evil.example/"></iframe> <img src="x.png" onerror="alert(1)"> [js](javascript:alert(1)) <a href="/x" onclick="y">x</a>\n\n]]> & < > 🎉 שלום',
        authors: [{ name: "Ann & <Bob>" }],
        tags: ["Q&A <x>"],
        publishedAt: "2024-06-01T00:00:00Z",
      }),
    );
  });

  it("reaches every reader as the same plain text, CDATA-free and well-formed", async () => {
    const rssText = await body("/rss.xml");
    const atomText = await body("/atom.xml");
    expect(rssText).not.toContain("CDATA");
    expect(atomText).not.toContain("CDATA");
    const rssItem = parseXmlFeed(rssText).feed.items[0];
    const atomItem = parseXmlFeed(atomText).feed.items[0];
    const jsonItem = (await jsonFeed()).items[0];
    for (const item of [rssItem, atomItem]) {
      expect(item?.title).toBe(title);
      expect(item?.description).toBe(summary);
      expect(item?.authors.map((a) => a.name)).toEqual(["Ann & <Bob>"]);
      expect(item?.categories.map((c) => c.term)).toEqual(["Q&A <x>"]);
    }
    expect(jsonItem).toMatchObject({ title, summary, tags: ["Q&A <x>"], authors: [{ name: "Ann & <Bob>" }] });
  });

  it("carries no script, frame, event handler or javascript: URL in any content", async () => {
    const { items } = await rss();
    const { entries } = await atom();
    const json = await jsonFeed();
    for (const html of [
      textIn(at(items[0], "content:encoded")),
      textIn(at(entries[0], "content")),
      json.items[0].content_html,
    ]) {
      expect(html).not.toMatch(/<script|<iframe|onerror|onclick|javascript:/i);
      expect(textOf(html)).toContain("]]> & < > 🎉 שלום");
      expect(urlsIn(html)).toEqual([`${ORIGIN}/articles/x.png`, `${ORIGIN}/x`]);
    }
  });
});
