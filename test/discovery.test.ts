// What readers and crawlers find around the feeds: the site icon in every format, images that
// render everywhere, a page for people, the sitemap, the OPML list, and polling hints.
import { XMLParser } from "fast-xml-parser";
import { beforeEach, describe, expect, it } from "vitest";
import { iconOfSize, SITE_ICONS } from "../src/render/icons.ts";
import { SITEMAP_PART_SIZE } from "../src/writer/membership.ts";
import { articleInput, ORIGIN, request, resetStore, storeArticles } from "./helpers.ts";

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  isArray: (n) => ["url", "sitemap", "outline", "link", "atom:link"].includes(n),
});
type Node = Record<string, unknown>;
const IMAGE = "https://img.example/photos/kabul.jpg";

beforeEach(async () => {
  await resetStore();
  await storeArticles({
    pictured: articleInput({
      title: "Pictured",
      image: IMAGE,
      tags: ["Middle East"],
      publishedAt: "2024-03-02T00:00:00Z",
    }),
    plain: articleInput({ title: "Plain", tags: ["Notes"], publishedAt: "2024-03-01T00:00:00Z" }),
    unseen: articleInput({ title: "Unseen", draft: true, tags: ["Secret"] }),
    later: articleInput({ title: "Later", publishedAt: "2999-01-01T00:00:00Z", tags: ["Future"] }),
  });
});

const text = async (path: string, init?: RequestInit) => (await request(path, init)).text();
const parsed = async (path: string) => xml.parse(await text(path)) as Node;

describe("the site icon", () => {
  it("is the RSS channel image at the 144 px the RSS spec allows at most, square", async () => {
    const channel = ((new XMLParser().parse(await text("/rss.xml")) as Node).rss as Node).channel as Node;
    expect(channel.image).toEqual({
      url: `${ORIGIN}${iconOfSize(144).path}`,
      title: "World Brief",
      link: `${ORIGIN}/`,
      width: 144,
      height: 144,
    });
  });

  it("is Atom's icon and logo, and JSON Feed's icon (512 px) and favicon (64 px), all absolute", async () => {
    const feed = (await parsed("/atom.xml")).feed as Node;
    expect(feed.icon).toBe(`${ORIGIN}${iconOfSize(64).path}`);
    expect(feed.logo).toBe(`${ORIGIN}${iconOfSize(512).path}`);
    const json = (await (await request("/feed.json")).json()) as Record<string, string>;
    expect(json.icon).toBe(`${ORIGIN}${SITE_ICONS.png.find((i) => i.size === 512)?.path}`);
    expect(json.favicon).toBe(`${ORIGIN}${SITE_ICONS.png.find((i) => i.size === 64)?.path}`);
  });
});

describe("an article's image", () => {
  it("goes out as media:content and an enclosure in RSS, an enclosure link in Atom, image and banner in JSON Feed", async () => {
    const rss = await text("/rss.xml");
    expect(rss).toContain(`<media:content url="${IMAGE}" type="image/jpeg" medium="image"/>`);
    expect(rss).toContain(`<enclosure url="${IMAGE}" length="0" type="image/jpeg"/>`);
    expect(await text("/atom.xml")).toContain(`<link rel="enclosure" type="image/jpeg" href="${IMAGE}"/>`);
    const json = (await (await request("/feed.json")).json()) as { items: Record<string, string>[] };
    expect(json.items[0]).toMatchObject({ image: IMAGE, banner_image: IMAGE });
  });

  it("is the page's Open Graph image and its JSON-LD image", async () => {
    const page = await text("/articles/pictured");
    expect(page).toContain(`<meta property="og:image" content="${IMAGE}"/>`);
    expect(page).toContain(`"image":["${IMAGE}"]`);
  });
});

describe("the feeds page", () => {
  it("explains feeds and lists every feed of the site and of each tag, in all three formats, and the OPML", async () => {
    const page = await text("/feeds");
    expect(page).toContain("What is a feed?");
    for (const scope of ["", "/tags/middle-east", "/tags/notes"]) {
      for (const file of ["rss.xml", "atom.xml", "feed.json"])
        expect(page).toContain(`<code>${ORIGIN}${scope}/${file}</code>`);
    }
    expect(page).toContain(`${ORIGIN}/feeds.opml`);
    expect(page).not.toContain("Secret");
    expect(page).not.toContain("Future");
  });

  it("is linked from every page's footer and from each feed", async () => {
    for (const path of ["/", "/articles/plain", "/tags/notes", "/feeds", "/no/such/page"]) {
      expect(await text(path), path).toContain(`href="${ORIGIN}/feeds"`);
    }
    expect(await text("/rss.xml")).toContain(`<atom:link href="${ORIGIN}/feeds" rel="related" type="text/html"/>`);
    expect(await text("/rss.xml")).toContain("<docs>https://www.rssboard.org/rss-specification</docs>");
    expect(await text("/atom.xml")).toContain(`<link rel="related" type="text/html" href="${ORIGIN}/feeds"/>`);
    const json = (await (await request("/feed.json")).json()) as { user_comment: string };
    expect(json.user_comment).toContain(`${ORIGIN}/feeds`);
  });

  it("leaves feed URLs answering the feed itself, whatever Accept says", async () => {
    const response = await request("/rss.xml", { headers: { Accept: "text/html,application/xhtml+xml" } });
    expect(response.headers.get("Content-Type")).toBe("application/rss+xml; charset=utf-8");
    expect(await response.text()).toContain("<rss");
  });
});

describe("the sitemap", () => {
  it("lists the home page, every public article and every tag page with lastmod, and no draft or scheduled article", async () => {
    const urls = ((await parsed("/sitemap.xml")).urlset as Node).url as Node[];
    const locs = urls.map((u) => u.loc).sort();
    expect(locs).toEqual(
      [
        `${ORIGIN}/`,
        `${ORIGIN}/articles/pictured`,
        `${ORIGIN}/articles/plain`,
        `${ORIGIN}/tags/middle-east`,
        `${ORIGIN}/tags/notes`,
      ].sort(),
    );
    for (const url of urls) expect(String(url.lastmod)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("becomes an index of files of at most SITEMAP_PART_SIZE URLs once the site outgrows one, each URL once", async () => {
    for (let from = 0; from < SITEMAP_PART_SIZE; from += 100) {
      const batch: Record<string, Record<string, unknown>> = {};
      for (let i = from; i < from + 100; i++) batch[`bulk-${i}`] = articleInput({ title: `Bulk ${i}`, content: "x" });
      await storeArticles(batch);
    }
    const index = (await parsed("/sitemap.xml")).sitemapindex as Node;
    const files = (index.sitemap as Node[]).map((s) => String(s.loc));
    expect(files).toEqual([`${ORIGIN}/sitemaps/1.xml`, `${ORIGIN}/sitemaps/2.xml`]);
    const locs: string[] = [];
    for (const file of files) {
      const urls = ((await parsed(new URL(file).pathname)).urlset as Node).url as Node[];
      expect(urls.length).toBeLessThanOrEqual(SITEMAP_PART_SIZE);
      locs.push(...urls.map((u) => String(u.loc)));
    }
    // The home page, two tag pages, two articles from before and the bulk ones.
    expect(new Set(locs).size).toBe(locs.length);
    expect(locs).toHaveLength(1 + 2 + 2 + SITEMAP_PART_SIZE);
    expect((await request("/sitemaps/3.xml")).status).toBe(404);

    // A new article in an old tag: the tag page stays in file 1, the home page moved to file 2,
    // and each file dates its pages as the pages themselves do.
    await storeArticles({ noted: articleInput({ title: "Noted", tags: ["Notes"] }) });
    const lastmods = new Map<string, string>();
    for (const file of files) {
      const urls = ((await parsed(new URL(file).pathname)).urlset as Node).url as Node[];
      for (const url of urls) lastmods.set(new URL(String(url.loc)).pathname, String(url.lastmod));
    }
    for (const path of ["/", "/tags/notes", "/tags/middle-east", "/articles/noted"]) {
      const modified = (await request(path)).headers.get("Last-Modified");
      expect(lastmods.get(path), path).toBe(new Date(String(modified)).toISOString().replace(".000Z", "Z"));
    }
  }, 120_000);

  it("is named by robots.txt", async () => {
    expect(await text("/robots.txt")).toBe(`User-agent: *\nAllow: /\n\nSitemap: ${ORIGIN}/sitemap.xml\n`);
  });
});

describe("the OPML list", () => {
  it("holds the site's feed and, in a folder, each tag's, one of each, so an import subscribes once", async () => {
    const response = await request("/feeds.opml");
    expect(response.headers.get("Content-Type")).toBe("text/x-opml; charset=utf-8");
    const opml = (xml.parse(await response.text()) as Node).opml as Node;
    expect(opml["@version"]).toBe("2.0");
    const [site, folder] = (opml.body as Node).outline as Node[];
    expect(site).toMatchObject({ "@type": "rss", "@xmlUrl": `${ORIGIN}/rss.xml`, "@htmlUrl": `${ORIGIN}/` });
    expect(((folder as Node).outline as Node[]).map((o) => o["@xmlUrl"])).toEqual([
      `${ORIGIN}/tags/middle-east/rss.xml`,
      `${ORIGIN}/tags/notes/rss.xml`,
    ]);
  });

  it("is discoverable from every page", async () => {
    expect(await text("/")).toContain(
      `<link rel="outline" type="text/x-opml" title="Every feed of World Brief (OPML)" href="${ORIGIN}/feeds.opml"/>`,
    );
  });
});

describe("polling hints", () => {
  it("match the Cache-Control the feed is sent with: RSS ttl, sy:updatePeriod and sy:updateFrequency", async () => {
    const response = await request("/rss.xml");
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get("Cache-Control") ?? "")?.[1]);
    const channel = ((xml.parse(await response.text()) as Node).rss as Node).channel as Node;
    expect(Number(channel.ttl) * 60).toBe(maxAge);
    expect(channel["sy:updatePeriod"]).toBe("hourly");
    expect(3600 / Number(channel["sy:updateFrequency"])).toBe(maxAge);
  });
});
