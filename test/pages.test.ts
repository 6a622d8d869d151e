import { beforeEach, describe, expect, it } from "vitest";
import { SITE_ICONS } from "../src/render/icons.ts";
import {
  articleInput,
  ORIGIN,
  request,
  resetStore,
  SEED_SLUG,
  storeArticle,
  storeArticles,
  storeSeed,
} from "./helpers.ts";

interface Element {
  attrs: Record<string, string>;
  text: string;
}

/** Every element matching `selector`, read with the runtime's own HTML parser. */
async function select(html: string, selector: string): Promise<Element[]> {
  const found: Element[] = [];
  let current: Element | null = null;
  await new HTMLRewriter()
    .on(selector, {
      element(el) {
        current = { attrs: Object.fromEntries(el.attributes), text: "" };
        found.push(current);
      },
      text(chunk) {
        if (current) current.text += chunk.text;
      },
    })
    .transform(new Response(html))
    .text();
  return found;
}

async function page(path: string): Promise<{ res: Response; html: string }> {
  const res = await request(path);
  return { res, html: await res.text() };
}

const SEED_TITLE = "ISIS-K, which claimed the Crocus City Hall attack, and its long hostility to Russia";

function expectPageHeaders(res: Response) {
  expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  const csp = res.headers.get("Content-Security-Policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).not.toContain("script-src");
  expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(res.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
}

describe("HTML pages", () => {
  beforeEach(async () => {
    await resetStore();
    await storeSeed();
  });

  it("serves the home page as HTML with a strict policy and no script", async () => {
    const { res, html } = await page("/");
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(await select(html, "script")).toEqual([]);
    expect(await select(html, "[style]")).toEqual([]);
  });

  it("lists the seed article on the home page with its date, summary and tags", async () => {
    const { html } = await page("/");
    const [entry] = await select(html, "main .h-entry h2 a");
    expect(entry?.attrs.href).toBe(`${ORIGIN}/articles/${SEED_SLUG}`);
    expect(entry?.text).toBe(SEED_TITLE);
    expect(await select(html, "main .h-entry time")).toEqual([
      { attrs: { class: "dt-published", datetime: "2024-05-17T00:00:00Z" }, text: "May 17, 2024" },
    ]);
    expect((await select(html, "main .p-summary"))[0]?.text).toMatch(/^The Islamic State in Khorasan Province/);
    const tags = await select(html, "main .tags a");
    expect(tags.map((t) => [t.text, t.attrs.href])).toEqual([
      ["Russia", `${ORIGIN}/tags/russia`],
      ["ISIS-K", `${ORIGIN}/tags/isis-k`],
      ["Afghanistan", `${ORIGIN}/tags/afghanistan`],
      ["Terrorism", `${ORIGIN}/tags/terrorism`],
    ]);
  });

  it("offers the canonical URL and all three site feeds on the home page", async () => {
    const { html } = await page("/");
    expect((await select(html, "link[rel=canonical]")).map((l) => l.attrs.href)).toEqual([`${ORIGIN}/`]);
    const feeds = await select(html, "link[rel=alternate]");
    expect(feeds.map((l) => [l.attrs.type, l.attrs.href])).toEqual([
      ["application/rss+xml", `${ORIGIN}/rss.xml`],
      ["application/atom+xml", `${ORIGIN}/atom.xml`],
      ["application/feed+json", `${ORIGIN}/feed.json`],
    ]);
  });

  it("offers a tag's own feeds first, then the site's, on the tag page", async () => {
    const { res, html } = await page("/tags/isis-k");
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    expect((await select(html, "link[rel=canonical]"))[0]?.attrs.href).toBe(`${ORIGIN}/tags/isis-k`);
    const feeds = await select(html, "link[rel=alternate]");
    expect(feeds.map((l) => l.attrs.href)).toEqual([
      `${ORIGIN}/tags/isis-k/rss.xml`,
      `${ORIGIN}/tags/isis-k/atom.xml`,
      `${ORIGIN}/tags/isis-k/feed.json`,
      `${ORIGIN}/rss.xml`,
      `${ORIGIN}/atom.xml`,
      `${ORIGIN}/feed.json`,
    ]);
    const headings = await select(html, "h1");
    expect(headings.map((h) => h.text)).toEqual(["Articles tagged ISIS-K"]);
  });

  it("shows one article in full with its heading, byline, date and social metadata", async () => {
    const { res, html } = await page(`/articles/${SEED_SLUG}`);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    expect((await select(html, "html"))[0]?.attrs.lang).toBe("en");
    expect((await select(html, "h1")).map((h) => h.text)).toEqual([SEED_TITLE]);
    expect((await select(html, "article h2")).map((h) => h.text)).toEqual(["The Goal Of ISIS-K"]);
    expect((await select(html, "article blockquote")).length).toBe(1);
    expect((await select(html, "article .p-author .p-name"))[0]?.text).toBe("World Brief Editors");
    expect((await select(html, "link[rel=canonical]"))[0]?.attrs.href).toBe(`${ORIGIN}/articles/${SEED_SLUG}`);
    const meta = Object.fromEntries(
      (await select(html, "meta[property], meta[name]")).map((m) => [
        m.attrs.property ?? m.attrs.name,
        m.attrs.content,
      ]),
    );
    expect(meta).toMatchObject({
      "og:type": "article",
      "og:title": SEED_TITLE,
      "og:url": `${ORIGIN}/articles/${SEED_SLUG}`,
      "og:site_name": "World Brief",
      "twitter:card": "summary",
      "article:published_time": "2024-05-17T00:00:00Z",
    });
  });

  it("describes the article as a schema.org NewsArticle", async () => {
    const { html } = await page(`/articles/${SEED_SLUG}`);
    const blocks = await select(html, 'script[type="application/ld+json"]');
    expect(blocks.length).toBe(1);
    const data = JSON.parse(blocks[0]?.text ?? "");
    expect(data).toMatchObject({
      "@context": "https://schema.org",
      "@type": "NewsArticle",
      headline: SEED_TITLE,
      datePublished: "2024-05-17T00:00:00Z",
      author: [{ name: "World Brief Editors" }],
      publisher: { name: "World Brief" },
      keywords: ["Russia", "ISIS-K", "Afghanistan", "Terrorism"],
    });
  });

  it("keeps a title that looks like markup from closing the JSON-LD block or the page", async () => {
    const title = "</script><script>alert(1)</script> & <b>bold</b>";
    await storeArticle("tricky", articleInput({ title }));
    const { html } = await page("/articles/tricky");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<b>bold");
    const [block] = await select(html, 'script[type="application/ld+json"]');
    expect(block?.text).not.toContain("<");
    expect(JSON.parse(block?.text ?? "").headline).toBe(title);
    expect((await select(html, "h1"))[0]?.text).toBe(
      "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;",
    );
  });

  it("writes dates in the article's own language, in UTC", async () => {
    await storeArticle(
      "auf-deutsch",
      articleInput({ title: "Ein Titel", language: "de", publishedAt: "2024-03-31T23:30:00-02:00" }),
    );
    const { html } = await page("/articles/auf-deutsch");
    expect((await select(html, "html"))[0]?.attrs.lang).toBe("de");
    expect(await select(html, "article time")).toEqual([
      { attrs: { class: "dt-published", datetime: "2024-04-01T01:30:00Z" }, text: "1. April 2024" },
    ]);
    const home = await page("/");
    const german = (await select(home.html, "main article[lang]")).map((a) => a.attrs.lang);
    expect(german).toEqual(["de"]);
  });

  it("links the stylesheet at a hashed URL that may be cached for a year", async () => {
    const { html } = await page("/");
    const sheets = await select(html, "link[rel=stylesheet]");
    expect(sheets.length).toBe(1);
    const href = sheets[0]?.attrs.href ?? "";
    expect(href).toMatch(/^\/assets\/site\.[0-9a-f]{8}\.css$/);
    const css = await request(href);
    expect(css.status).toBe(200);
    expect(css.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(css.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const body = await css.text();
    expect(body).toContain("prefers-color-scheme:dark");
    expect(body).toContain("@media print");
    expect(new TextEncoder().encode(body).length).toBeLessThan(8 * 1024);
    const again = await request(href, { headers: { "If-None-Match": css.headers.get("ETag") ?? "" } });
    expect(again.status).toBe(304);
    expect((await request("/assets/site.00000000.css")).status).toBe(404);
  });

  it("declares the site icon in every size readers look for: SVG, PNGs with true sizes, apple-touch-icon", async () => {
    const { html } = await page("/");
    const icons = await select(html, "link[rel=icon]");
    expect(icons[0]?.attrs).toMatchObject({ type: "image/svg+xml", href: SITE_ICONS.svg });
    const pngs = icons.filter((i) => i.attrs.type === "image/png");
    expect(pngs.length).toBeGreaterThanOrEqual(2);
    for (const png of pngs) {
      // The path names its size, and the manifest (checked against the files by the runtime tests) agrees.
      const declared = SITE_ICONS.png.find((p) => p.path === png.attrs.href);
      expect(declared, png.attrs.href).toBeDefined();
      expect(png.attrs.sizes).toBe(`${declared?.size}x${declared?.size}`);
    }
    const [touch] = await select(html, "link[rel=apple-touch-icon]");
    expect(touch?.attrs).toMatchObject({ href: SITE_ICONS.appleTouch.path, sizes: "180x180" });
  });

  it("answers an unknown path with an HTML 404 page under the same policy, kept out of search indexes", async () => {
    for (const path of ["/no/such/page", "/articles/no-such-article", "/tags/no-such-tag", "/?page=9"]) {
      const { res, html } = await page(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("Content-Type")?.toLowerCase(), path).toBe("text/html; charset=utf-8");
      expect(res.headers.get("Content-Security-Policy"), path).toContain("default-src 'none'");
      expect(res.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(
        (await select(html, "h1")).map((h) => h.text),
        path,
      ).toEqual(["Page not found"]);
      expect((await select(html, "meta[name=robots]"))[0]?.attrs.content, path).toBe("noindex");
      expect(await select(html, "link[rel=canonical]"), path).toEqual([]);
    }
  });

  it("pages the home page when there are more articles than fit on one", async () => {
    const days = Array.from({ length: 21 }, (_, i) => String(i + 1).padStart(2, "0"));
    await storeArticles(
      Object.fromEntries(
        days.map((dd) => [`old-${dd}`, articleInput({ title: `Old ${dd}`, publishedAt: `2023-01-${dd}T08:00:00Z` })]),
      ),
    );
    const first = await page("/");
    expect((await select(first.html, "main .h-entry")).length).toBe(20);
    expect(await select(first.html, "link[rel=prev]")).toEqual([]);
    expect((await select(first.html, "link[rel=next]"))[0]?.attrs.href).toBe(`${ORIGIN}/?page=2`);
    expect((await select(first.html, "a[rel=next]"))[0]?.attrs.href).toBe(`${ORIGIN}/?page=2`);

    const second = await page("/?page=2");
    expect(second.res.status).toBe(200);
    expect((await select(second.html, "main .h-entry h2 a")).map((a) => a.text)).toEqual(["Old 02", "Old 01"]);
    expect((await select(second.html, "link[rel=canonical]"))[0]?.attrs.href).toBe(`${ORIGIN}/?page=2`);
    expect((await select(second.html, "a[rel=prev]"))[0]?.attrs.href).toBe(`${ORIGIN}/`);
    expect(await select(second.html, "a[rel=next]")).toEqual([]);
  });
});
